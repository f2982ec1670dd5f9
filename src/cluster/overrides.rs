//! kubectl's connection flags applied to the kubeconfig before kube reads it, with client-go
//! clientcmd's precedence: a flag beats the kubeconfig (tools/clientcmd client_config.go
//! `getCluster`/`getAuthInfo`, overrides.go).

use kube::config::{AuthInfo, Cluster, Context, Kubeconfig, NamedContext};

use super::connect::{Source, load_kubeconfig};
use crate::cli::GlobalArgs;
use crate::error::UserError;

/// The name given to the cluster, user or context the flags create when the kubeconfig has
/// none to override (e.g. `--server URL --token T` with no kubeconfig at all).
const FROM_FLAGS: &str = "vmsnap-flags";

/// The kubeconfig `source` names with the flags applied; `None` means in-cluster (no
/// kubeconfig and no `--server`: kubectl then builds the connection from the flags alone).
pub fn kubeconfig(source: Source, global: &GlobalArgs) -> anyhow::Result<Option<Kubeconfig>> {
    let mut kc = match source {
        Source::Files(files) => load_kubeconfig(&files)?,
        Source::InCluster if global.connection.server.is_some() => Kubeconfig::default(),
        Source::InCluster => return Ok(None),
    };
    apply(&mut kc, global)?;
    Ok(Some(kc))
}

/// The cluster the flags and kubeconfig select, if any.
pub fn selected_cluster<'a>(kc: &'a Kubeconfig, global: &GlobalArgs) -> Option<&'a Cluster> {
    let name = cluster_name(kc, global)?;
    kc.clusters
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.cluster.as_ref())
}

/// The flag's name, else the kubeconfig's; an empty name is none.
fn chosen(flag: &Option<String>, kubeconfig: impl FnOnce() -> Option<String>) -> Option<String> {
    flag.clone().or_else(kubeconfig).filter(|n| !n.is_empty())
}

/// The entry of `list` called `name` (the field `name_of` gives), added when missing.
fn named_entry<'a, T: Default>(
    list: &'a mut Vec<T>,
    name: &str,
    name_of: fn(&mut T) -> &mut String,
) -> &'a mut T {
    let at = match list.iter_mut().position(|e| name_of(e) == name) {
        Some(at) => at,
        None => {
            let mut entry = T::default();
            *name_of(&mut entry) = name.to_owned();
            list.push(entry);
            list.len() - 1
        }
    };
    &mut list[at]
}

fn context_name(kc: &Kubeconfig, global: &GlobalArgs) -> Option<String> {
    chosen(&global.context, || kc.current_context.clone())
}

fn context<'a>(kc: &'a Kubeconfig, global: &GlobalArgs) -> Option<&'a Context> {
    let name = context_name(kc, global)?;
    kc.contexts
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.context.as_ref())
}

fn cluster_name(kc: &Kubeconfig, global: &GlobalArgs) -> Option<String> {
    chosen(&global.cluster, || {
        context(kc, global).map(|c| c.cluster.clone())
    })
}

fn user_name(kc: &Kubeconfig, global: &GlobalArgs) -> Option<String> {
    chosen(&global.user, || {
        context(kc, global).and_then(|c| c.user.clone())
    })
}

/// Who turned TLS verification off, for the warning that says so.
pub fn insecure_source(global: &GlobalArgs) -> &'static str {
    if global.connection.insecure_skip_tls_verify {
        "the --insecure-skip-tls-verify flag"
    } else {
        "the kubeconfig"
    }
}

/// Whether any flag changes who the plugin is.
fn sets_auth(global: &GlobalArgs) -> bool {
    let f = &global.connection;
    f.token.is_some()
        || f.username.is_some()
        || f.password.is_some()
        || f.client_certificate.is_some()
        || f.client_key.is_some()
        || f.as_user.is_some()
        || !f.as_groups.is_empty()
        || f.as_uid.is_some()
}

/// Applies the flags to `kc` in place.
pub fn apply(kc: &mut Kubeconfig, global: &GlobalArgs) -> Result<(), UserError> {
    let f = &global.connection;
    if (!f.as_groups.is_empty() || f.as_uid.is_some()) && f.as_user.is_none() {
        return Err(UserError::usage(
            "--as-group and --as-uid need --as: a group or uid cannot be impersonated without a user",
        ));
    }
    if f.server.is_some() && context(kc, global).is_none() && global.context.is_none() {
        // No context to override: the flags describe the whole connection, as with kubectl.
        kc.contexts.push(NamedContext {
            name: FROM_FLAGS.into(),
            context: Some(Context {
                cluster: global.cluster.clone().unwrap_or_else(|| FROM_FLAGS.into()),
                user: Some(global.user.clone().unwrap_or_else(|| FROM_FLAGS.into())),
                ..Context::default()
            }),
            other: Default::default(),
        });
        kc.current_context = Some(FROM_FLAGS.into());
    }
    apply_cluster(kc, global);
    if !sets_auth(global) {
        return Ok(());
    }
    let name = match user_name(kc, global) {
        Some(name) => name,
        None => {
            // The context names no user: give it one for the flags' credentials.
            let ctx_name = context_name(kc, global);
            if let Some(ctx) = kc
                .contexts
                .iter_mut()
                .find(|c| Some(&c.name) == ctx_name.as_ref())
                .and_then(|c| c.context.as_mut())
            {
                ctx.user = Some(FROM_FLAGS.into());
            }
            FROM_FLAGS.to_string()
        }
    };
    let entry = named_entry(&mut kc.auth_infos, &name, |a| &mut a.name);
    apply_auth(
        entry.auth_info.get_or_insert_with(AuthInfo::default),
        global,
    )
}

fn apply_cluster(kc: &mut Kubeconfig, global: &GlobalArgs) {
    let f = &global.connection;
    let touches = f.server.is_some()
        || f.insecure_skip_tls_verify
        || f.certificate_authority.is_some()
        || f.tls_server_name.is_some();
    if !touches {
        return;
    }
    let name = cluster_name(kc, global).unwrap_or_else(|| FROM_FLAGS.into());
    let entry = named_entry(&mut kc.clusters, &name, |c| &mut c.name);
    let cluster = entry.cluster.get_or_insert_with(Cluster::default);
    if let Some(server) = &f.server {
        cluster.server = Some(server.clone());
    }
    // clientcmd: --insecure-skip-tls-verify or --certificate-authority replaces all three of
    // the kubeconfig's CA settings, so a kubeconfig CA never conflicts with the flag.
    if f.insecure_skip_tls_verify || f.certificate_authority.is_some() {
        cluster.insecure_skip_tls_verify = Some(f.insecure_skip_tls_verify);
        cluster.certificate_authority = f
            .certificate_authority
            .as_ref()
            .map(|p| p.display().to_string());
        cluster.certificate_authority_data = None;
    }
    // clientcmd: --server clears the kubeconfig's tls-server-name unless the flag gives one.
    if f.tls_server_name.is_some() || f.server.is_some() {
        cluster.tls_server_name = f.tls_server_name.clone();
    }
}

fn apply_auth(auth: &mut AuthInfo, global: &GlobalArgs) -> Result<(), UserError> {
    let f = &global.connection;
    if let Some(token) = &f.token {
        // client-go sends a --token instead of running the kubeconfig's exec plugin or auth
        // provider (exec.go skips them when token auth is set); client certificates stay.
        auth.token = Some(token.clone().into());
        auth.token_file = None;
        auth.exec = None;
        auth.auth_provider = None;
    }
    if f.username.is_some() || f.password.is_some() {
        auth.username = f.username.clone().or(auth.username.take());
        auth.password = f.password.clone().map(Into::into).or(auth.password.take());
    }
    if auth.token.is_some() && (f.username.is_some() || f.password.is_some())
        || f.token.is_some() && (auth.username.is_some() || auth.password.is_some())
    {
        // client-go transport: "username/password or bearer token may be set, but not both".
        return Err(
            UserError::usage("username/password or bearer token may be set, but not both")
                .hint("give either --token or --username/--password"),
        );
    }
    // clientcmd: a flag's certificate or key file replaces the kubeconfig's inline data.
    if let Some(cert) = &f.client_certificate {
        auth.client_certificate = Some(cert.display().to_string());
        auth.client_certificate_data = None;
    }
    if let Some(key) = &f.client_key {
        auth.client_key = Some(key.display().to_string());
        auth.client_key_data = None;
    }
    if let Some(user) = &f.as_user {
        auth.impersonate = Some(user.clone());
        auth.impersonate_groups = (!f.as_groups.is_empty()).then(|| f.as_groups.clone());
        auth.impersonate_uid = f.as_uid.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::ConnectionFlags;

    const KC: &str = "apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: a\n  cluster: {server: 'https://old:6443', certificate-authority-data: Q0E=, tls-server-name: old}\nusers:\n- name: a\n  user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ, exec: {apiVersion: client.authentication.k8s.io/v1, command: get-token}}\ncontexts:\n- name: a\n  context: {cluster: a, user: a}\n";

    fn with(connection: ConnectionFlags) -> GlobalArgs {
        GlobalArgs {
            connection,
            ..GlobalArgs::default()
        }
    }

    /// `kc` with `flags` applied, which must be accepted.
    fn applied(mut kc: Kubeconfig, flags: ConnectionFlags) -> Kubeconfig {
        apply(&mut kc, &with(flags)).expect("flags accepted");
        kc
    }

    /// [`KC`] with `flags` applied, which must be accepted.
    fn applied_to_kc(flags: ConnectionFlags) -> Kubeconfig {
        applied(Kubeconfig::from_yaml(KC).unwrap(), flags)
    }

    fn user(kc: &Kubeconfig) -> &AuthInfo {
        kc.auth_infos[0].auth_info.as_ref().unwrap()
    }

    #[test]
    fn token_replaces_the_exec_plugin_and_keeps_the_client_certificate() {
        let kc = applied_to_kc(ConnectionFlags {
            token: Some("t".into()),
            ..Default::default()
        });
        assert!(user(&kc).exec.is_none() && user(&kc).token.is_some());
        assert!(user(&kc).client_certificate_data.is_some());
    }

    #[test]
    fn server_and_ca_flags_replace_the_clusters_tls_settings() {
        let kc = applied_to_kc(ConnectionFlags {
            server: Some("https://new:6443".into()),
            certificate_authority: Some("/ca.pem".into()),
            ..Default::default()
        });
        let c = kc.clusters[0].cluster.as_ref().unwrap();
        assert_eq!(c.server.as_deref(), Some("https://new:6443"));
        assert_eq!(c.certificate_authority.as_deref(), Some("/ca.pem"));
        assert_eq!(c.certificate_authority_data, None);
        assert_eq!(c.tls_server_name, None, "--server clears tls-server-name");
    }

    #[test]
    fn impersonation_and_client_files_override_the_user() {
        let kc = applied_to_kc(ConnectionFlags {
            as_user: Some("alice".into()),
            as_groups: vec!["g1".into(), "g2".into()],
            as_uid: Some("42".into()),
            client_certificate: Some("/c.pem".into()),
            client_key: Some("/k.pem".into()),
            ..Default::default()
        });
        let u = user(&kc);
        assert_eq!(u.impersonate.as_deref(), Some("alice"));
        assert_eq!(
            u.impersonate_groups.as_deref(),
            Some(&["g1".to_string(), "g2".into()][..])
        );
        assert_eq!(u.impersonate_uid.as_deref(), Some("42"));
        assert_eq!(u.client_certificate.as_deref(), Some("/c.pem"));
        assert!(u.client_certificate_data.is_none() && u.client_key_data.is_none());
    }

    #[test]
    fn flags_alone_make_a_connection_without_a_kubeconfig() {
        let kc = applied(
            Kubeconfig::default(),
            ConnectionFlags {
                server: Some("https://api:6443".into()),
                token: Some("t".into()),
                ..Default::default()
            },
        );
        assert_eq!(kc.current_context.as_deref(), Some(FROM_FLAGS));
        let g = GlobalArgs::default();
        assert_eq!(
            selected_cluster(&kc, &g).and_then(|c| c.server.as_deref()),
            Some("https://api:6443")
        );
        assert!(user(&kc).token.is_some());
    }

    #[test]
    fn groups_without_a_user_and_token_with_password_are_refused() {
        let mut kc = Kubeconfig::from_yaml(KC).unwrap();
        let g = with(ConnectionFlags {
            as_groups: vec!["g".into()],
            ..Default::default()
        });
        assert!(apply(&mut kc, &g).is_err());
        let g = with(ConnectionFlags {
            token: Some("t".into()),
            username: Some("u".into()),
            password: Some("p".into()),
            ..Default::default()
        });
        assert!(apply(&mut kc, &g).is_err());
    }
}
