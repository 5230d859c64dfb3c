namespace AgentLens.Operator.Tests.TestBed;

internal static class TestRbac
{
    /// <summary>A Role with <paramref name="rules"/> in <paramref name="ns"/>, bound to a service account of that namespace.</summary>
    public static async Task GrantAsync(IKubernetes client, string ns, string name, string serviceAccount, params V1PolicyRule[] rules)
    {
        await client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role { Metadata = new V1ObjectMeta { Name = name }, Rules = rules }, ns);
        await client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = name },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = name },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = serviceAccount, NamespaceProperty = ns }],
        }, ns);
    }

    public static V1PolicyRule Rule(string resource, params string[] verbs) => new() { ApiGroups = [""], Resources = [resource], Verbs = verbs };
}
