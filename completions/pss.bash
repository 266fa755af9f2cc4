# bash completion for pss and pss-run (installed as both names under
# share/bash-completion/completions). The option lists are checked against
# `pss COMMAND --help` by tests/cli/test_install_files.cpp.

_pss_options() {
    local reports="--json --junit --markdown --html --pr-comment --junit-flaky-as-failure --report-url"
    local history="--store-history --baseline-branch --fail-on-regression --db --no-alerts"
    case "$1" in
        run) echo "--repeat --budget --min-runs --max-runs --fail-below --allow-flaky --timeout -j --jobs --mode
                   --fresh-process --filter --shuffle
                   --seed --shard-index --shard-count --quarantine --traces $reports --config $history --warmup
                   --confirm-runs --no-confirm --collector --run-id --color --help" ;;
        merge) echo "--from --run-id --fail-below --allow-flaky --quarantine $reports --config $history --color --help" ;;
        analyze) echo "--trace-file --json --output --fail-if-below --config --threads --sample-cap --sample-memory
                       --exact --no-progress --from --run-id $history --color --help" ;;
        report) echo "--from $reports --color --help" ;;
        history) echo "--limit --days --test --branch --export --import --db --config --color --help" ;;
        collect) echo "--listen --out --color --help" ;;
        board) echo "--db --traces --port --host --max-runs --config --color --help" ;;
        exporter) echo "--port --host --db --config --color --help" ;;
        *) echo "--help --version --color" ;;
    esac
}

_pss() {
    local cur prev command i
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    if [[ "${COMP_WORDS[0]##*/}" == pss-run ]]; then
        command=run
    else
        for ((i = 1; i < COMP_CWORD; i++)); do
            case "${COMP_WORDS[i]}" in
                run|merge|analyze|report|history|collect|board|exporter) command="${COMP_WORDS[i]}"; break ;;
            esac
        done
    fi
    case "$prev" in
        --repeat) COMPREPLY=($(compgen -W "auto" -- "$cur")); return ;;
        --mode) COMPREPLY=($(compgen -W "auto listener native isolate" -- "$cur")); return ;;
        --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
        --export) COMPREPLY=($(compgen -W "csv json history" -- "$cur")); return ;;
        --json|--junit|--markdown|--html|--pr-comment|--traces|--quarantine|--config|--db|--output|--trace-file|--from|--import|--out)
            COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    if [[ -z "$command" && "$cur" != -* ]]; then
        COMPREPLY=($(compgen -W "run merge analyze report history collect board exporter" -- "$cur"))
    elif [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$(_pss_options "$command")" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))  # test binaries, trace files
    fi
}

complete -F _pss pss pss-run
