# Shared by bin/switchboard, bin/test and bench/run. Sourced, not run.
# Finds a JDK 21+ and Maven on a fresh machine without relying on the caller's shell.

# Prints the path of a java binary of version 21 or newer: $JAVA_HOME, then /usr/lib/jvm/*, then PATH.
sb_find_java() {
  local candidates=() j v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  for j in $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV); do candidates+=("$j"); done
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for j in "${candidates[@]}"; do
    [ -x "$j" ] || continue
    v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null; then echo "$j"; return 0; fi
  done
  return 1
}

sb_require_java() {
  SB_JAVA=$(sb_find_java) || {
    echo "switchboard needs Java 21 or newer, and found none in \$JAVA_HOME, /usr/lib/jvm or PATH." >&2
    echo "Install one (for example Temurin 25) or set JAVA_HOME to it." >&2
    exit 1
  }
  # Maven's toolchains plugin discovers the same JDK by itself; JAVA_HOME also helps it.
  export SB_JAVA
}

# Makes sure `mvn` exists, installing Debian's maven package when we are root and it is missing.
sb_require_maven() {
  command -v mvn >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Maven (Debian package 'maven')..." >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >&2
  fi
  command -v mvn >/dev/null 2>&1 || {
    echo "switchboard needs Apache Maven 3.6.3+ to build; install it (apt-get install maven)." >&2
    exit 1
  }
}

# Installs Debian packages that are missing (only as root; otherwise says what to install).
sb_require_packages() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} (Debian packages)..." >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  else
    echo "Please install: ${missing[*]}" >&2
    exit 1
  fi
}

# Builds target/switchboard.jar when it is missing or older than the sources.
sb_ensure_jar() {
  local root=$1 jar=$1/target/switchboard.jar
  if [ -f "$jar" ] && [ -z "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  sb_require_maven
  echo "Building Switchboard (first start or sources changed)..." >&2
  (cd "$root" && mvn -B -ntp -q -DskipTests package >&2) || {
    echo "The build failed; see the messages above." >&2
    exit 1
  }
}
