# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_vmsnap_global_optspecs
    string join \n kubeconfig= context= cluster= user= n/namespace= request-timeout= v/verbosity= o/output= y/yes= no-input= provider= no-color= dry-run= as= as-group= as-uid= cache-dir= certificate-authority= client-certificate= client-key= disable-compression= insecure-skip-tls-verify= match-server-version= password= s/server= tls-server-name= token= username= warnings-as-errors= h/help V/version
end

function __fish_kubectl_vmsnap_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_vmsnap_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_vmsnap_using_subcommand
    set -l cmd (__fish_kubectl_vmsnap_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "create" -d 'Snapshot a VM: analyse its storage, show the plan, ask, create and follow it'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "list" -d 'List snapshots, optionally of one VM'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "ls" -d 'List snapshots, optionally of one VM'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "describe" -d 'Show everything about one snapshot: source, phase, consistency, volumes, restores'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "wait" -d 'Follow a snapshot or restore in progress until it is ready, done or gone (kubectl wait)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "delete" -d 'Delete snapshots (asks first; refuses when a restore is using one)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "rm" -d 'Delete snapshots (asks first; refuses when a restore is using one)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "restore" -d 'Roll a VM back to a snapshot (safety snapshot first, config diff preview, typed confirmation)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "diff" -d 'Show what restoring a snapshot would change in its VM\'s configuration'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "check" -d 'Readiness report: which VMs can be snapshotted, how consistently, and what blocks them'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "prune" -d 'Delete old snapshots by a retention policy (never the newest good one)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "clone" -d 'Create a new VM from a snapshot (on Deckhouse also from a stopped VM)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "tree" -d 'Draw a VM\'s snapshot tree, current snapshot marked (VMware VM Operator)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "restore-disk" -d 'Create a new disk from a disk snapshot (Deckhouse VirtualDiskSnapshot)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "version" -d 'Print the plugin version and the snapshot APIs the current cluster serves'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "options" -d 'Print the list of flags inherited by all commands (kubectl\'s connection flags)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish) or the kubectl_complete-vmsnap helper (kubectl-plugin)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -s l -l selector -d 'KubeVirt: snapshot every VM with these labels instead, e.g. -l app=db: one confirmation, created concurrently, a summary table (names are generated)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l name -d 'Snapshot name (default: <vm>-snapshot-<YYYYMMDD-HHMMSS>, UTC)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l stop -d 'Stop a running VM first, for an offline (fully consistent) snapshot' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l online -d 'KubeVirt: snapshot a running VM without stopping it, even without a guest agent (crash-consistent)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l start-after -d 'Start the VM again after the snapshot if this command stopped it' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l failure-deadline -d 'Give up and mark the snapshot Failed after this long on the server (KubeVirt default 5m; 0 = never)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l label -d 'Label for the snapshot, KEY=VALUE (repeatable)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l wait -d 'Wait until the snapshot is ready (the default)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l no-wait -d 'Return once the snapshot object is created' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l timeout -d 'How long to wait until the snapshot is ready' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l description -d 'VM Operator: a description stored with the snapshot' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l memory -d 'VM Operator: include the guest memory (without it, a revert leaves the VM powered off)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l quiesce-timeout -d 'VM Operator: quiesce the guest file systems through VMware Tools for at most this long (5m to 240m)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l disk -d 'Deckhouse: snapshot this VirtualDisk instead of a whole VM' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l allow-inconsistent -d 'Deckhouse: take the snapshot even when it cannot be consistent (requiredConsistency: false)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l keep-ip-address -d 'Deckhouse: whether a restore of this snapshot keeps the VM\'s IP address' -r -f -a "Always\t'the restored VM gets the IP address it had'
Never\t'the restored VM gets a new IP address'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand create" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -s A -l all-namespaces -d 'List snapshots in every namespace' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -s l -l selector -d 'Label selector, e.g. -l app=db,tier!=test' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l no-headers -d 'Do not print the header line' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l disks -d 'Deckhouse: list disk snapshots (VirtualDiskSnapshots) instead of VM snapshots' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l sort-by -d 'Sort by this JSONPath over the API object, e.g. \'{.metadata.name}\' or .status.creationTime (default: creation time, newest last)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l show-labels -d 'Add a LABELS column with every label' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -s L -l label-columns -d 'Add a column per label key, e.g. -L app,tier (repeatable)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -s w -l watch -d 'After the list, print a row for every change (Ctrl-C or --request-timeout ends it)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l watch-only -d 'Print only the changes, not the list first' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l field-selector -d 'Field selector passed to the API server, e.g. metadata.name=s1' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l chunk-size -d 'Objects per list request (kubectl\'s default, 500); 0 lists in one request' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand list" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -s A -l all-namespaces -d 'List snapshots in every namespace' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -s l -l selector -d 'Label selector, e.g. -l app=db,tier!=test' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l no-headers -d 'Do not print the header line' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l disks -d 'Deckhouse: list disk snapshots (VirtualDiskSnapshots) instead of VM snapshots' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l sort-by -d 'Sort by this JSONPath over the API object, e.g. \'{.metadata.name}\' or .status.creationTime (default: creation time, newest last)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l show-labels -d 'Add a LABELS column with every label' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -s L -l label-columns -d 'Add a column per label key, e.g. -L app,tier (repeatable)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -s w -l watch -d 'After the list, print a row for every change (Ctrl-C or --request-timeout ends it)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l watch-only -d 'Print only the changes, not the list first' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l field-selector -d 'Field selector passed to the API server, e.g. metadata.name=s1' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l chunk-size -d 'Objects per list request (kubectl\'s default, 500); 0 lists in one request' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand ls" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand describe" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l restore -d 'KubeVirt: follow this VirtualMachineRestore instead' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l for -d 'What to wait for: ready (the default), delete, create, condition=NAME[=VALUE]' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l timeout -d 'How long to wait before giving up (0: check once)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand wait" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -s l -l selector -d 'Delete the snapshots with these labels instead, e.g. -l vmsnap.io/batch=20261126-100000' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l all -d 'Delete every snapshot in the namespace' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l ignore-not-found -d 'A named snapshot that does not exist is skipped, not an error (always so with -l and --all, as in kubectl)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l wait -d 'Wait until the snapshots are gone (the default)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l no-wait -d 'Return once deletion is requested' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l timeout -d 'How long to wait until the snapshots are gone' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand delete" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -s l -l selector -d 'Delete the snapshots with these labels instead, e.g. -l vmsnap.io/batch=20261126-100000' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l all -d 'Delete every snapshot in the namespace' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l ignore-not-found -d 'A named snapshot that does not exist is skipped, not an error (always so with -l and --all, as in kubectl)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l wait -d 'Wait until the snapshots are gone (the default)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l no-wait -d 'Return once deletion is requested' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l timeout -d 'How long to wait until the snapshots are gone' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand rm" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l snapshot -d 'The snapshot to restore from (`-s` is `--server`, as everywhere in kubectl)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l stop -d 'Stop the VM if it runs (KubeVirt\'s targetReadinessPolicy StopTarget)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l target-readiness-policy -d 'What KubeVirt does when the VM is running (StopTarget stops it)' -r -f -a "StopTarget\t'stop the VM, then restore'
WaitGracePeriod\t'wait up to 5 minutes for the VM to be stopped'
FailImmediate\t'fail at once if the VM runs'
WaitEventually\t'wait until someone stops the VM'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l confirm-name -d 'With --yes: the snapshot name, typed out, as the interactive confirmation asks' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l start-after -d 'Start the VM once the restore completes' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l no-safety-snapshot -d 'Do not take a safety snapshot of the VM as it is now before restoring (nothing can undo the restore then)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l to -d 'Restore into a new VM of this name instead; VM is left as it is (KubeVirt restores to a new target when it does not exist)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l wait -d 'Wait until the restore completes (the default)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l no-wait -d 'Return once the restore is created' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l timeout -d 'How long to wait until the restore completes' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l mode -d 'Deckhouse: Strict stops at any conflict; BestEffort goes on and removes missing images from the VM' -r -f -a "Strict\t'stop at any conflict (the default)'
BestEffort\t'go on past conflicts: missing images are removed from the VM'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l all -d 'Also compare the VM\'s labels and annotations (a restore keeps the current ones)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand diff" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -s A -l all-namespaces -d 'Check the VMs of every namespace' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -s l -l selector -d 'Only VMs with these labels, e.g. -l app=db' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand check" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -s l -l selector -d 'Prune the snapshots of every VM with these labels, e.g. -l app=db' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l keep -d 'Keep the N newest Succeeded snapshots of each VM' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l older-than -d 'Only delete snapshots older than this (e.g. 7d, 12h)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l include-safety -d 'Also prune safety snapshots taken before a restore less than a day ago' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l wait -d 'Wait until the snapshots are gone (the default)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l no-wait -d 'Return once deletion is requested' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l timeout -d 'How long to wait until the snapshots are gone' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand prune" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l from-vm -d 'Deckhouse: SNAPSHOT names a powered-off VM to clone directly' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l to -d 'Name of the new VM (Deckhouse: optional when --name-replacement, --prefix or --suffix names it)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l name-replacement -d 'Deckhouse: rename a resource in the clone, [KIND/]OLD=NEW (repeatable), e.g. vd/web-root=web2-root' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l prefix -d 'Deckhouse: prefix for the names of everything the clone creates' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l suffix -d 'Deckhouse: suffix for the names of everything the clone creates' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l mode -d 'Deckhouse: Strict stops at any conflict; BestEffort goes on past them' -r -f -a "Strict\t'stop at any conflict (the default)'
BestEffort\t'go on past conflicts: missing images are removed from the VM'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l new-mac-address -d 'KubeVirt: give an interface this MAC address, INTERFACE=MAC (repeatable; other interfaces get fresh ones)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l label-filter -d 'KubeVirt: which labels of the source VM the new VM gets, in KubeVirt\'s filter syntax (\'*\', \'!key\', \'prefix/*\'; repeatable; default: all)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l annotation-filter -d 'KubeVirt: which annotations the new VM gets, same syntax as --label-filter (repeatable; default: all)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l wait -d 'Wait until the new VM exists (the default)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l no-wait -d 'Return once the clone is created' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l timeout -d 'How long to wait until the new VM exists' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand clone" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -s i -l ids -d 'Show each snapshot\'s vSphere id (snapshot-226)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -s D -l dates -d 'Show each snapshot\'s creation date' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -s d -l descriptions -d 'Show each snapshot\'s description' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand tree" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l to -d 'Name of the new VirtualDisk' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l size -d 'Size of the new disk (at least the original\'s, e.g. 20Gi; default: the original\'s)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l storage-class -d 'StorageClass of the new disk (default: the source disk\'s)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l wait -d 'Wait until the new disk is Ready (the default)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l no-wait -d 'Return once the disk is created' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l timeout -d 'How long to wait until the new disk is Ready' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand restore-disk" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand version" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand options" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -s n -l namespace -d 'The namespace (default: the context\'s namespace, else "default")' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l request-timeout -d 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -s v -l verbosity -d 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -s o -l output -d 'Output format' -r -f -a "table\t'kubectl-style table'
wide\t'table with more columns'
json\t'the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action\'s report otherwise (schema in docs/cli.md)'
yaml\t'the same as YAML'
name\t'resource/name, one per line'
report-json\t'the plugin\'s own report (consistency, size, VM state; schema in docs/cli.md) as JSON'
report-yaml\t'the plugin\'s own report as YAML'
custom-columns=\t'kubectl\'s custom columns: HEADER:PATH,HEADER:PATH'
custom-columns-file=\t'custom columns from a file: a line of headers, a line of paths'
jsonpath=\t'kubectl\'s JSONPath template, e.g. {.items[*].metadata.name}'
jsonpath-as-json=\t'the template\'s results as JSON arrays'
jsonpath-file=\t'a JSONPath template from a file'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -s y -l yes -d 'Answer yes to confirmations (restore also needs --confirm-name)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l no-input -d 'Never prompt, even on a terminal: refuse instead of asking' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l provider -d 'Which virtualization platform\'s API to use' -r -f -a "auto\t'detect from the APIs the cluster serves'
kubevirt\t'KubeVirt / OpenShift Virtualization (snapshot.kubevirt.io)'
vmoperator\t'VMware VM Operator on vSphere Supervisor (vmoperator.vmware.com)'
deckhouse\t'Deckhouse Virtualization (virtualization.deckhouse.io)'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l no-color -d 'Disable colour (also NO_COLOR=1)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l dry-run -d 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes' -r -f -a "none\t'really do it'
client\t'print the plan, send nothing'
server\t'send the writes with dryRun=All'"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l as -d 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l as-group -d 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l cache-dir -d 'Default cache directory (accepted for kubectl compatibility: the plugin keeps no discovery cache)' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l certificate-authority -d 'Path to a cert file for the certificate authority' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l disable-compression -d 'If true, opt-out of response compression for all requests to the server (the plugin never asks for compressed responses)' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l match-server-version -d 'Require server version to match client version' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l password -d 'Password for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l tls-server-name -d 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l username -d 'Username for basic authentication to the API server' -r
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -l warnings-as-errors -d 'Treat warnings received from the server as errors and exit with a non-zero exit code' -r -f -a "true\t''
false\t''"
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand completion" -s V -l version -d 'Print version'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "create" -d 'Snapshot a VM: analyse its storage, show the plan, ask, create and follow it'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "list" -d 'List snapshots, optionally of one VM'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "describe" -d 'Show everything about one snapshot: source, phase, consistency, volumes, restores'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "wait" -d 'Follow a snapshot or restore in progress until it is ready, done or gone (kubectl wait)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "delete" -d 'Delete snapshots (asks first; refuses when a restore is using one)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "restore" -d 'Roll a VM back to a snapshot (safety snapshot first, config diff preview, typed confirmation)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "diff" -d 'Show what restoring a snapshot would change in its VM\'s configuration'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "check" -d 'Readiness report: which VMs can be snapshotted, how consistently, and what blocks them'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "prune" -d 'Delete old snapshots by a retention policy (never the newest good one)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "clone" -d 'Create a new VM from a snapshot (on Deckhouse also from a stopped VM)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "tree" -d 'Draw a VM\'s snapshot tree, current snapshot marked (VMware VM Operator)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "restore-disk" -d 'Create a new disk from a disk snapshot (Deckhouse VirtualDiskSnapshot)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "version" -d 'Print the plugin version and the snapshot APIs the current cluster serves'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "options" -d 'Print the list of flags inherited by all commands (kubectl\'s connection flags)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish) or the kubectl_complete-vmsnap helper (kubectl-plugin)'
complete -c kubectl-vmsnap -n "__fish_kubectl_vmsnap_using_subcommand help; and not __fish_seen_subcommand_from create list describe wait delete restore diff check prune clone tree restore-disk version options completion help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'

# This completes the kubectl-vmsnap executable. To complete `kubectl vmsnap ...`
# (kubectl 1.26+), save `kubectl vmsnap completion kubectl-plugin` as an
# executable kubectl_complete-vmsnap on PATH and load kubectl's own completion;
# see docs/install.md.
