using System.Text;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Cards;

/// <summary>Our canonical form of a card equals the official A2A SDK's canonicalizeAgentCard, byte for byte.</summary>
[TestFixture]
[Category("Integration")]
public sealed class CardCanonicalizerTests
{
    /// <summary>0.3 and 1.0 shapes, unicode, numbers, empty values and defaults, snake_case, mistyped values.</summary>
    private static readonly string[] Corpus =
    [
        // A2A 0.3: url, preferredTransport, protocolVersion and 0.3-style security schemes are not AgentCard fields in 1.0.
        """
        {"protocolVersion":"0.3.0","name":"Weather Agent","description":"Forecasts","url":"http://weather.demo:8080/","preferredTransport":"JSONRPC",
         "additionalInterfaces":[{"url":"http://weather.demo:8080/","transport":"JSONRPC"}],"version":"1.2.0",
         "capabilities":{"streaming":true,"pushNotifications":false,"stateTransitionHistory":true},
         "securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}},"security":[{"bearer":[]}],
         "defaultInputModes":["text/plain"],"defaultOutputModes":["text/plain","application/json"],
         "skills":[{"id":"forecast","name":"Forecast","description":"Weather forecast for a city","tags":["weather"],"examples":["Paris tomorrow?"]},
                   {"id":"alerts","name":"Alerts","description":"","tags":[]}],
         "signatures":[{"protected":"eyJhbGciOiJFUzI1NiJ9","signature":"abc"}]}
        """,
        // A2A 1.0 with every message kind.
        """
        {"name":"Travel","description":"Books trips","version":"2.0.0","documentationUrl":"https://docs.example/travel","iconUrl":"",
         "supportedInterfaces":[{"url":"https://travel.example/a2a","protocolBinding":"JSONRPC","protocolVersion":"1.0","tenant":""},
                                {"url":"https://travel.example/grpc","protocolBinding":"GRPC","protocolVersion":"1.0"}],
         "provider":{"organization":"Example Corp","url":"https://example.com"},
         "capabilities":{"streaming":false,"extendedAgentCard":true,
                         "extensions":[{"uri":"https://ext.example/a","description":"A","required":false,"params":{"max":1e21,"min":-0,"step":0.1,"big":123456789012345678901234,"one":1.0,"empty":{},"list":[],"none":null,"deep":{"x":""}}},
                                       {"uri":"https://ext.example/b","required":true,"params":[1,"",null]}]},
         "securitySchemes":{
            "key":{"apiKeySecurityScheme":{"location":"header","name":"X-API-Key"}},
            "oidc":{"openIdConnectSecurityScheme":{"openIdConnectUrl":"https://id.example/.well-known/openid-configuration"}},
            "oauth":{"oauth2SecurityScheme":{"flows":{"authorizationCode":{"authorizationUrl":"https://id.example/auth","tokenUrl":"https://id.example/token","scopes":{"read":"Read","write":""},"pkceRequired":true}},"oauth2MetadataUrl":""}},
            "mtls":{"mtlsSecurityScheme":{"description":"client certificates"}},
            "empty":{}},
         "securityRequirements":[{"schemes":{"key":{"list":[]},"oauth":{"list":["read"]}}}],
         "defaultInputModes":["text/plain"],"defaultOutputModes":[],
         "skills":[{"id":"book","name":"Book","description":"Books","tags":["travel"],"inputModes":["application/json"],"outputModes":[],
                    "securityRequirements":[{"schemes":{"oauth":{"list":["write"]}}}]}]}
        """,
        // Unicode: emoji, CJK, combining marks, RTL, escapes, controls, a line separator.
        """
        {"name":"Agent \ud83e\udd16 \u5929\u6c17","description":"Cafe\u0301 \u05e9\u05dc\u05d5\u05dd \"quoted\" back\\slash tab\t nl\n bell\u0007 ls\u2028 del\u007f",
         "version":"1","skills":[{"id":"\u00e9t\u00e9","name":"\u00c9t\u00e9","tags":["\u00fc","a","\u20ac"]}]}
        """,
        // snake_case names, as the SDK also reads them.
        """
        {"name":"Snake","supported_interfaces":[{"url":"https://s.example","protocol_binding":"HTTP+JSON","protocol_version":"1.0"}],
         "default_input_modes":["text/plain"],"documentation_url":"https://docs.example","icon_url":"https://icon.example/i.png",
         "capabilities":{"push_notifications":true,"extended_agent_card":false},
         "security_schemes":{"h":{"http_auth_security_scheme":{"scheme":"bearer","bearer_format":"JWT"}}},
         "skills":[{"id":"s","input_modes":["a"],"output_modes":["b"]}]}
        """,
        // Mistyped values, coerced as JavaScript does; null everywhere; defaults only.
        """
        {"name":true,"description":null,"version":2,"provider":"not an object","capabilities":{"streaming":"yes","pushNotifications":0},
         "skills":[{"id":17,"name":["a","b"],"tags":[1,null,"x",2.50],"examples":"not a list"}],"defaultInputModes":null,"default_input_modes":["from-snake"]}
        """,
        """
        {"name":"","description":"","version":"","skills":[],"capabilities":{},"securitySchemes":{},"signatures":[]}
        """,
    ];

    [Test]
    public async Task EveryCardOfTheCorpus_CanonicalizesAsTheOfficialSdkDoes()
    {
        var expected = await A2aSdk.CanonicalizeAsync(Corpus);

        for (var i = 0; i < Corpus.Length; i++)
        {
            Assert.That(CardCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(Corpus[i])), Is.EqualTo(expected[i]), $"card {i}");
        }
    }
}
