global using System.Collections.Immutable;
global using System.Globalization;
global using k8s;
global using k8s.Models;
global using NUnit.Framework;
