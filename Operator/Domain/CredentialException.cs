namespace AgentLens.Operator.Domain;

/// <summary>A credentials Secret that cannot be used; the message names the Secret and the key, never a value.</summary>
internal sealed class CredentialException : Exception
{
    public CredentialException()
        : base("the credentials Secret cannot be read")
    {
    }

    public CredentialException(string message)
        : base(message)
    {
    }

    public CredentialException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
