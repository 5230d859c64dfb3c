using System.Text.Json;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>
/// Debian's headless Chromium driven by its own chromedriver (both installed by <c>make tools</c>; nothing is
/// downloaded), with Chrome's performance log on so a test can list every request the page made.
/// </summary>
internal sealed class Browser : IDisposable
{
    public const string Chromium = "/usr/bin/chromium";
    public const string ChromeDriver = "/usr/bin/chromedriver";

    private readonly List<string> requested = [];

    private Browser(ChromeDriver driver) => Driver = driver;

    public ChromeDriver Driver { get; }

    public static bool Installed => File.Exists(Chromium) && File.Exists(ChromeDriver);

    public static Browser Start(int width = 1280, int height = 800)
    {
        var options = new ChromeOptions { BinaryLocation = Chromium };
        // Root needs --no-sandbox; the rest keeps Chromium from calling home, so every request is the page's.
        options.AddArguments("--headless=new", "--no-sandbox", $"--window-size={width},{height}", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
            "--disable-extensions", "--disable-dev-shm-usage", "--lang=en-US");
        options.SetLoggingPreference("performance", LogLevel.All);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
        return new Browser(driver);
    }

    /// <summary>Every URL the page asked for so far (Network.requestWillBeSent in Chrome's performance log).</summary>
    public IReadOnlyList<string> RequestedUrls()
    {
        foreach (var entry in Driver.Manage().Logs.GetLog("performance"))
        {
            using var json = JsonDocument.Parse(entry.Message);
            var message = json.RootElement.GetProperty("message");
            if (message.GetProperty("method").GetString() == "Network.requestWillBeSent")
            {
                requested.Add(message.GetProperty("params").GetProperty("request").GetProperty("url").GetString()!);
            }
        }

        return requested;
    }

    public IWebElement Find(string css) => Driver.FindElement(By.CssSelector(css));

    public IReadOnlyList<IWebElement> FindAll(string css) => Driver.FindElements(By.CssSelector(css));

    public object? Script(string script, params object[] args) => Driver.ExecuteScript(script, args);

    /// <summary>Waits until <paramref name="condition"/> holds in the page, failing with <paramref name="what"/> after <paramref name="timeout"/> (only there to stop a hung test).</summary>
    public async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is StaleElementReferenceException or NoSuchElementException)
            {
                // The page redrew what we looked at; look again.
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the page never showed {what}; it shows:\n{Safe(() => Find("main").Text)}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Saves a PNG of the window as a test artifact and returns its path.</summary>
    public string Screenshot(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "ui-screenshots");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        TestContext.AddTestAttachment(path, name);
        return path;
    }

    /// <summary>Resizes the window so the whole page fits, for a screenshot of all of it.</summary>
    public void FitHeight(int width)
    {
        var height = Convert.ToInt32(Script("return Math.ceil(document.documentElement.scrollHeight);"), CultureInfo.InvariantCulture);
        Driver.Manage().Window.Size = new System.Drawing.Size(width, Math.Clamp(height + 20, 400, 4000));
    }

    private static string Safe(Func<string> read)
    {
        try
        {
            return read();
        }
        catch (WebDriverException e)
        {
            return e.Message;
        }
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
