# row.sh - sourced by the benchmarks: print one row of the table from a
# hyperfine JSON export whose first result is slipway's and whose second is
# the alternative's: medians, spread (the interquartile range as ±half),
# and the ratio (alternative / slipway: above 1 means slipway is faster).
# row LABEL JSON
row() {
	jq -r --arg title "$1" '
	def q($p): (sort | .[((length - 1) * $p | floor)]);
	def ms: . * 1000 | if . >= 100 then (. | round | tostring) + " ms"
		else (. * 10 | round / 10 | tostring) + " ms" end;
	def cell: "\(.median | ms) ±\((((.times | q(0.75)) - (.times | q(0.25))) / 2) | ms)";
	.results as $r |
	"| \($title) | \($r[0] | cell) | \($r[1].command) \($r[1] | cell) | \(($r[1].median / $r[0].median) * 100 | round / 100)× |"' "$2"
}
