using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>A security scheme an A2A agent declares (a capability of kind <c>a2a.security_scheme</c>).</summary>
internal sealed record AuthSchemeView(
    [property: Description("The scheme's name in the card, as security requirements refer to it.")] string Name,
    [property: Description("http, apiKey, oauth2, openIdConnect or mutualTLS.")] string? Type,
    [property: Description("For type http: the HTTP authentication scheme, e.g. bearer.")] string? Scheme,
    [property: Description("For type apiKey: where the key goes (header, query or cookie).")] string? In,
    [property: Description("For type apiKey: the header, query parameter or cookie name.")] string? Parameter,
    [property: Description("For type openIdConnect: the discovery URL.")] string? OpenIdConnectUrl,
    string? Description);
