using System.Text;

namespace AgentLens.Operator.Tests.TestBed;

internal static class Fixtures
{
    public static byte[] Card(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cards", name));

    public static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);
}
