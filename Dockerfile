# Multi-stage build of the operator image.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore in its own layer: it changes only when the package graph does.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Operator/Operator.csproj Operator/
RUN dotnet restore Operator/Operator.csproj
COPY Operator/ Operator/
RUN dotnet publish Operator/Operator.csproj -c Release --no-restore -o /out /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
WORKDIR /app
COPY --from=build /out ./
# Numeric non-root user: the restricted Pod Security Standard can verify it without a passwd lookup.
USER 65532:65532
ENV DOTNET_EnableDiagnostics=0 \
    ASPNETCORE_URLS=""
ENTRYPOINT ["dotnet", "/app/AgentLens.Operator.dll"]
