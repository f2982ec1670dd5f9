
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubectl-vmsnap' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubectl-vmsnap'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kubectl-vmsnap' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Snapshot a VM: analyse its storage, show the plan, ask, create and follow it')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List snapshots, optionally of one VM')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List snapshots, optionally of one VM')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show everything about one snapshot: source, phase, consistency, volumes, restores')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete snapshots (asks first; refuses when a restore is using one)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete snapshots (asks first; refuses when a restore is using one)')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Roll a VM back to a snapshot (safety snapshot first, config diff preview, typed confirmation)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what restoring a snapshot would change in its VM''s configuration')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Readiness report: which VMs can be snapshotted, how consistently, and what blocks them')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete old snapshots by a retention policy (never the newest good one)')
            [CompletionResult]::new('clone', 'clone', [CompletionResultType]::ParameterValue, 'Create a new VM from a snapshot (on Deckhouse also from a stopped VM)')
            [CompletionResult]::new('tree', 'tree', [CompletionResultType]::ParameterValue, 'Draw a VM''s snapshot tree, current snapshot marked (VMware VM Operator)')
            [CompletionResult]::new('restore-disk', 'restore-disk', [CompletionResultType]::ParameterValue, 'Create a new disk from a disk snapshot (Deckhouse VirtualDiskSnapshot)')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin version and the snapshot APIs the current cluster serves')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-vmsnap;create' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Snapshot every VM with these labels instead, e.g. -l app=db: one confirmation, created concurrently, a summary table (names are generated)')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Snapshot every VM with these labels instead, e.g. -l app=db: one confirmation, created concurrently, a summary table (names are generated)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Snapshot name (default: <vm>-snapshot-<YYYYMMDD-HHMMSS>, UTC)')
            [CompletionResult]::new('--failure-deadline', '--failure-deadline', [CompletionResultType]::ParameterName, 'Give up and mark the snapshot Failed after this long on the server (KubeVirt default 5m; 0 = never)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Label for the snapshot, KEY=VALUE (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the snapshot to become ready')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'VM Operator: a description stored with the snapshot')
            [CompletionResult]::new('--quiesce-timeout', '--quiesce-timeout', [CompletionResultType]::ParameterName, 'VM Operator: quiesce the guest file systems through VMware Tools for at most this long (5m to 240m)')
            [CompletionResult]::new('--disk', '--disk', [CompletionResultType]::ParameterName, 'Deckhouse: snapshot this VirtualDisk instead of a whole VM')
            [CompletionResult]::new('--keep-ip-address', '--keep-ip-address', [CompletionResultType]::ParameterName, 'Deckhouse: whether a restore of this snapshot keeps the VM''s IP address')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('--stop', '--stop', [CompletionResultType]::ParameterName, 'Stop a running VM first, for an offline (fully consistent) snapshot')
            [CompletionResult]::new('--online', '--online', [CompletionResultType]::ParameterName, 'Snapshot a running VM without stopping it, even without a guest agent (crash-consistent)')
            [CompletionResult]::new('--start-after', '--start-after', [CompletionResultType]::ParameterName, 'Start the VM again after the snapshot if this command stopped it')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until the snapshot is ready (the default)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return as soon as the snapshot object is created')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'VM Operator: include the guest memory (without it, a revert leaves the VM powered off)')
            [CompletionResult]::new('--allow-inconsistent', '--allow-inconsistent', [CompletionResultType]::ParameterName, 'Deckhouse: take the snapshot even when it cannot be consistent (requiredConsistency: false)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;list' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Label selector, e.g. -l app=db,tier!=test')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Label selector, e.g. -l app=db,tier!=test')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'List snapshots in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'List snapshots in every namespace')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Do not print the header line')
            [CompletionResult]::new('--disks', '--disks', [CompletionResultType]::ParameterName, 'Deckhouse: list disk snapshots (VirtualDiskSnapshots) instead of VM snapshots')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;ls' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Label selector, e.g. -l app=db,tier!=test')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Label selector, e.g. -l app=db,tier!=test')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'List snapshots in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'List snapshots in every namespace')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Do not print the header line')
            [CompletionResult]::new('--disks', '--disks', [CompletionResultType]::ParameterName, 'Deckhouse: list disk snapshots (VirtualDiskSnapshots) instead of VM snapshots')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;describe' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;delete' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for them to disappear')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until the snapshots are gone (the default)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once deletion is requested')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;rm' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for them to disappear')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until the snapshots are gone (the default)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once deletion is requested')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;restore' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The snapshot to restore from')
            [CompletionResult]::new('--snapshot', '--snapshot', [CompletionResultType]::ParameterName, 'The snapshot to restore from')
            [CompletionResult]::new('--target-readiness-policy', '--target-readiness-policy', [CompletionResultType]::ParameterName, 'What KubeVirt does when the VM is running (StopTarget stops it)')
            [CompletionResult]::new('--confirm-name', '--confirm-name', [CompletionResultType]::ParameterName, 'With --yes: the snapshot name, typed out, as the interactive confirmation asks')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Restore into a new VM of this name instead; VM is left as it is (KubeVirt restores to a new target when it does not exist)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the restore to complete')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'Deckhouse: Strict stops at any conflict; BestEffort goes on and removes missing images from the VM')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('--stop', '--stop', [CompletionResultType]::ParameterName, 'Stop the VM if it runs (KubeVirt''s targetReadinessPolicy StopTarget)')
            [CompletionResult]::new('--start-after', '--start-after', [CompletionResultType]::ParameterName, 'Start the VM once the restore completes')
            [CompletionResult]::new('--no-safety-snapshot', '--no-safety-snapshot', [CompletionResultType]::ParameterName, 'Do not take a safety snapshot of the VM as it is now before restoring (nothing can undo the restore then)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until the restore completes (the default)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once the restore is created')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;diff' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also compare the VM''s labels and annotations (a restore keeps the current ones)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;check' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only VMs with these labels, e.g. -l app=db')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only VMs with these labels, e.g. -l app=db')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Check the VMs of every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Check the VMs of every namespace')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;prune' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Prune the snapshots of every VM with these labels, e.g. -l app=db')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Prune the snapshots of every VM with these labels, e.g. -l app=db')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Keep the N newest Succeeded snapshots of each VM')
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Only delete snapshots older than this (e.g. 7d, 12h)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for them to disappear')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('--include-safety', '--include-safety', [CompletionResultType]::ParameterName, 'Also prune safety snapshots taken before a restore less than a day ago')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until the snapshots are gone (the default)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once deletion is requested')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;clone' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Name of the new VM (Deckhouse: optional when --name-replacement, --prefix or --suffix names it)')
            [CompletionResult]::new('--name-replacement', '--name-replacement', [CompletionResultType]::ParameterName, 'Deckhouse: rename a resource in the clone, [KIND/]OLD=NEW (repeatable), e.g. vd/web-root=web2-root')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Deckhouse: prefix for the names of everything the clone creates')
            [CompletionResult]::new('--suffix', '--suffix', [CompletionResultType]::ParameterName, 'Deckhouse: suffix for the names of everything the clone creates')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'Deckhouse: Strict stops at any conflict; BestEffort goes on past them')
            [CompletionResult]::new('--new-mac-address', '--new-mac-address', [CompletionResultType]::ParameterName, 'Give an interface this MAC address, INTERFACE=MAC (repeatable; other interfaces get fresh ones)')
            [CompletionResult]::new('--label-filter', '--label-filter', [CompletionResultType]::ParameterName, 'Which labels of the source VM the new VM gets, in KubeVirt''s filter syntax (''*'', ''!key'', ''prefix/*''; repeatable; default: all)')
            [CompletionResult]::new('--annotation-filter', '--annotation-filter', [CompletionResultType]::ParameterName, 'Which annotations the new VM gets, same syntax (repeatable; default: all)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the clone to finish')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('--from-vm', '--from-vm', [CompletionResultType]::ParameterName, 'Deckhouse: SNAPSHOT names a powered-off VM to clone directly')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until the new VM exists (the default)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once the clone is created')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;tree' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Show each snapshot''s vSphere id (snapshot-226)')
            [CompletionResult]::new('--ids', '--ids', [CompletionResultType]::ParameterName, 'Show each snapshot''s vSphere id (snapshot-226)')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'Show each snapshot''s creation date')
            [CompletionResult]::new('--dates', '--dates', [CompletionResultType]::ParameterName, 'Show each snapshot''s creation date')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Show each snapshot''s description')
            [CompletionResult]::new('--descriptions', '--descriptions', [CompletionResultType]::ParameterName, 'Show each snapshot''s description')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;restore-disk' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Name of the new VirtualDisk')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'Size of the new disk (at least the original''s, e.g. 20Gi; default: the original''s)')
            [CompletionResult]::new('--storage-class', '--storage-class', [CompletionResultType]::ParameterName, 'StorageClass of the new disk (default: the cluster''s default)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the disk to be Ready')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until the new disk is Ready (the default)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once the disk is created')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;version' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;completion' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single API request (e.g. 30s, 1m); 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'Log verbosity: 0 quiet; 1 prints each progress change as a line when there is no terminal for a spinner; 6 logs every API request; 8 adds headers (credentials masked)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Which virtualization platform''s API to use')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only show what would be done: client prints the plan, server also asks the API server to validate the writes')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (restore also needs --confirm-name)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal: refuse instead of asking')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colour (also NO_COLOR=1)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-vmsnap;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Snapshot a VM: analyse its storage, show the plan, ask, create and follow it')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List snapshots, optionally of one VM')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show everything about one snapshot: source, phase, consistency, volumes, restores')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete snapshots (asks first; refuses when a restore is using one)')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Roll a VM back to a snapshot (safety snapshot first, config diff preview, typed confirmation)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what restoring a snapshot would change in its VM''s configuration')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Readiness report: which VMs can be snapshotted, how consistently, and what blocks them')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete old snapshots by a retention policy (never the newest good one)')
            [CompletionResult]::new('clone', 'clone', [CompletionResultType]::ParameterValue, 'Create a new VM from a snapshot (on Deckhouse also from a stopped VM)')
            [CompletionResult]::new('tree', 'tree', [CompletionResultType]::ParameterValue, 'Draw a VM''s snapshot tree, current snapshot marked (VMware VM Operator)')
            [CompletionResult]::new('restore-disk', 'restore-disk', [CompletionResultType]::ParameterValue, 'Create a new disk from a disk snapshot (Deckhouse VirtualDiskSnapshot)')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin version and the snapshot APIs the current cluster serves')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-vmsnap;help;create' {
            break
        }
        'kubectl-vmsnap;help;list' {
            break
        }
        'kubectl-vmsnap;help;describe' {
            break
        }
        'kubectl-vmsnap;help;delete' {
            break
        }
        'kubectl-vmsnap;help;restore' {
            break
        }
        'kubectl-vmsnap;help;diff' {
            break
        }
        'kubectl-vmsnap;help;check' {
            break
        }
        'kubectl-vmsnap;help;prune' {
            break
        }
        'kubectl-vmsnap;help;clone' {
            break
        }
        'kubectl-vmsnap;help;tree' {
            break
        }
        'kubectl-vmsnap;help;restore-disk' {
            break
        }
        'kubectl-vmsnap;help;version' {
            break
        }
        'kubectl-vmsnap;help;completion' {
            break
        }
        'kubectl-vmsnap;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}

# This completes the kubectl-vmsnap executable. To complete `kubectl vmsnap ...`
# (kubectl 1.26+), put kubectl_complete-vmsnap on PATH and load kubectl's own
# completion; see docs/install.md.
