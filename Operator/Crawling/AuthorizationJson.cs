using System.Text.Json;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Crawling;

/// <summary>A stable rendering of what a protected server said about access, standing for the card it did not serve.</summary>
internal static class AuthorizationJson
{
    public static byte[] Canonical(AgentAuthorization authorization)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            void Strings(string name, ImmutableArray<string> values)
            {
                w.WriteStartArray(name);
                foreach (var value in values.IsDefault ? [] : values)
                {
                    w.WriteStringValue(value);
                }

                w.WriteEndArray();
            }

            w.WriteStartObject();
            w.WriteStartObject("authorization");
            w.WriteBoolean("required", authorization.Required);
            w.WriteBoolean("credentialsSent", authorization.CredentialsSent);
            w.WriteString("error", authorization.Error);
            w.WriteString("metadataUrl", authorization.MetadataUrl);
            w.WriteString("metadataProblem", authorization.MetadataProblem);
            w.WriteString("resource", authorization.Resource);
            w.WriteString("resourceName", authorization.ResourceName);
            Strings("authorizationServers", authorization.AuthorizationServers);
            Strings("scopesSupported", authorization.ScopesSupported);
            Strings("scopesRequired", authorization.ScopesRequired);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }
}
