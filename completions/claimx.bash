# bash completion for claimx (installed as /usr/share/bash-completion/completions/claimx).
# tests/e2e/docs_test.py checks these options against `claimx --help` and its subcommands'.
_claimx() {
  local cur prev words cword
  _init_completion || return
  local opts="-h --help --version --date --only --sentences --include-text --offsets --patterns
    --min-score --top --all-sentences --explain -r --recursive --input-format --max-doc-bytes
    -j --jobs -o --output --errors -q --quiet --text-field --id-field --date-field --title-field
    --format --stats --stats=json --pretty --compact"
  local serve_opts="-h --help --host --port -j --jobs --queue --patterns --max-doc-bytes --timeout"
  local rules_opts="-h --help --patterns"

  case "${words[1]}" in
    serve)
      case "$prev" in
        --patterns) _filedir -d; return ;;
        --host | --port | -j | --jobs | --queue | --max-doc-bytes | --timeout) return ;;
      esac
      COMPREPLY=($(compgen -W "$serve_opts" -- "$cur"))
      return ;;
    rules)
      if [[ $cword -eq 2 ]]; then
        COMPREPLY=($(compgen -W "list check $rules_opts" -- "$cur"))
      elif [[ $prev == --patterns || ${words[2]} == check ]]; then
        _filedir -d
      else
        COMPREPLY=($(compgen -W "$rules_opts" -- "$cur"))
      fi
      return ;;
  esac

  case "$prev" in
    --offsets) COMPREPLY=($(compgen -W "codepoints bytes utf16" -- "$cur")); return ;;
    --input-format) COMPREPLY=($(compgen -W "auto text html jsonl warc" -- "$cur")); return ;;
    --format) COMPREPLY=($(compgen -W "json tsv jsonld html" -- "$cur")); return ;;
    --only) COMPREPLY=($(compgen -W "figures entities agreements claims" -- "$cur")); return ;;
    --patterns) _filedir -d; return ;;
    -o | --output | --errors) _filedir; return ;;
    --date | --min-score | --top | --max-doc-bytes | -j | --jobs | --text-field | --id-field | \
      --date-field | --title-field) return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ $cword -eq 1 ]]; then
    COMPREPLY=($(compgen -W "rules serve" -- "$cur"))
    _filedir
    COMPREPLY+=($(compgen -W "rules serve" -- "$cur"))
  else
    _filedir
  fi
}
complete -F _claimx claimx
