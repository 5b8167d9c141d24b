# Sourced by tools/run and tools/test: installs missing packages, through
# sudo when not root (tools/setup itself refuses to run unprivileged).
ensure_setup() {
  if [[ $(id -u) -eq 0 ]] || ! command -v sudo >/dev/null 2>&1; then
    tools/setup
  elif ! tools/setup 2>/dev/null; then
    sudo tools/setup
  fi
}
