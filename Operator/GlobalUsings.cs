global using System.Collections.Immutable;
global using System.Diagnostics.CodeAnalysis;
global using System.Globalization;
global using k8s;
global using k8s.Models;
global using Microsoft.Extensions.Logging;
