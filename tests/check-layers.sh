#!/bin/sh
# check-layers.sh - `make check-layers`: every file under agent/ includes only
# from its own folder or from a layer below its own. The layers, bottom up:
#   0 lib
#   1 engine compose repo history proxy gateway notify   (peers: none includes another)
#   2 reconcile
#   3 pipeline
#   4 cmd
cd "$(dirname "$0")/.." || exit 1

rank() {
	case $1 in
	lib) echo 0 ;;
	engine|compose|repo|history|proxy|gateway|notify) echo 1 ;;
	reconcile) echo 2 ;;
	pipeline) echo 3 ;;
	cmd) echo 4 ;;
	*) echo 99 ;;
	esac
}

bad=0 n=0
for f in agent/*/*.[ch]; do
	layer=${f#agent/}; layer=${layer%%/*}
	mine=$(rank "$layer")
	if [ "$mine" = 99 ]; then
		echo "$f: folder \"$layer\" is not a known layer" >&2
		bad=$((bad + 1)); continue
	fi
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		n=$((n + 1))
		case $inc in
		*/*) ;;
		*) echo "$f: #include \"$inc\" names no layer (write \"layer/$inc\")" >&2
		   bad=$((bad + 1)); continue ;;
		esac
		theirs=${inc%%/*}
		[ "$theirs" = "$layer" ] && continue
		r=$(rank "$theirs")
		if [ "$r" -ge "$mine" ]; then
			echo "$f: includes \"$inc\" from layer \"$theirs\", not below \"$layer\"" >&2
			bad=$((bad + 1))
		fi
	done
done
if [ $bad -gt 0 ]; then
	echo "check-layers: $bad include(s) against the layering" >&2
	exit 1
fi
echo "check-layers: $n includes, all downward"
