namespace AgentLens.Operator.Tests.TestBed;

internal static class Repo
{
    /// <summary>The checkout's root: the folder holding the solution file.</summary>
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "AgentLens.Operator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find AgentLens.Operator.sln above " + AppContext.BaseDirectory);
    }
}
