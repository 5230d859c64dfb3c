namespace AgentLens.Operator.Catalog;

internal sealed class CatalogConflictException : Exception
{
    public CatalogConflictException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    public CatalogConflictException()
    {
    }

    public CatalogConflictException(string message)
        : base(message)
    {
    }
}
