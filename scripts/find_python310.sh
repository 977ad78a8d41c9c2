#!/usr/bin/env sh
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 refuses 3.11+), or explains in one
# line why there is none. Order: $PYTHON, python3.10 on PATH, pyenv's installs.
is_310() {
    [ "$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "3.10" ]
}
if [ -n "${PYTHON:-}" ]; then
    if is_310 "$PYTHON"; then command -v "$PYTHON"; exit 0; fi
    echo "Erreur : PYTHON=$PYTHON n'est pas un interpréteur Python 3.10 (Rasa 3.6.21 refuse 3.11 et plus)." >&2
    exit 1
fi
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
for candidate in python3.10 "$pyenv_root"/versions/3.10*/bin/python3.10 \
    /usr/local/bin/python3.10 /usr/bin/python3.10; do
    if is_310 "$candidate"; then command -v "$candidate" || echo "$candidate"; exit 0; fi
done
echo "Erreur : aucun Python 3.10 trouvé (ni PYTHON, ni python3.10, ni pyenv) ; installez-le (ex. « pyenv install 3.10 ») ou indiquez PYTHON=/chemin/vers/python3.10." >&2
exit 1
