#!/bin/sh
# Compiles the tables `serlab compare --format latex` writes, to check they are valid LaTeX:
# wraps the file in a minimal article with booktabs and runs pdflatex (Debian:
# apt-get install texlive-latex-base texlive-latex-recommended, about 48 MB).
#
#   tools/compile_latex.sh tables.tex [out.pdf]
#
# Exit status: 0 compiled, 1 LaTeX reported an error (its log is printed), 3 pdflatex is missing.
set -eu
input=${1:?usage: tools/compile_latex.sh tables.tex [out.pdf]}
output=${2:-}
command -v pdflatex >/dev/null 2>&1 || { echo "pdflatex not found: apt-get install texlive-latex-base texlive-latex-recommended" >&2; exit 3; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
    printf '%s\n' '\documentclass{article}' '\usepackage[T1]{fontenc}' '\usepackage[utf8]{inputenc}' '\usepackage{booktabs}' \
        '\usepackage[margin=1cm,landscape]{geometry}' '\begin{document}'
    cat "$input"
    printf '%s\n' '\end{document}'
} > "$work/tables.tex"
if ! (cd "$work" && pdflatex -interaction=nonstopmode -halt-on-error tables.tex >/dev/null 2>&1); then
    echo "pdflatex failed on $input:" >&2
    grep -A4 '^!' "$work/tables.log" >&2 || tail -20 "$work/tables.log" >&2
    exit 1
fi
if grep -q 'Overfull' "$work/tables.log"; then echo "note: overfull boxes (a table wider than the page)" >&2; fi
[ -n "$output" ] && cp "$work/tables.pdf" "$output"
echo "compiled $input ($(grep -c '\\begin{table}' "$input") tables)"
