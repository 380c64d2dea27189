#!/usr/bin/env bash
# A build of app A cannot be tagged in app B's names, through build.tags or
# a spelling of image: that the engine stores as B's name
# (docker.io/library/B-web), nor may A pull an image into B's names. Refused before the build, one error line, and
# no image of that name appears.
. "$(dirname "$0")/lib.sh"

a=e2e-tag-a-$RUN
b=e2e-tag-b-$RUN
new_app $b   # created, never deployed: its names are still free on the engine
new_app $a
printf 'FROM %s\nCMD ["sleep", "100000"]\n' "$BASE_IMAGE" >"$WORLD/src/$a/Dockerfile"

tagged="would tag a build in app \"$b\"'s names"
try() {
	cat >"$WORLD/src/$a/compose.yaml"
	commit_all $a "$1"
	if push $a -f; then cat "$WORLD/push.out"; fail "$1: accepted"; fi
	expect_in "$WORLD/push.out" "${2:-$tagged}"
	[ "$(grep -c 'remote: error:' "$WORLD/push.out")" = 1 ] ||
		{ cat "$WORLD/push.out"; fail "$1: not one error line"; }
	[ -z "$(docker images -q "$b-web")" ] || fail "$1: $b-web was tagged"
}

say "build.tags in B's names"
try tags <<YML
services:
  web:
    build:
      context: .
      tags: ["$a-web:extra", "$b-web:latest"]
YML
say "image: docker.io/library/B-web"
try image <<YML
services:
  web:
    build: .
    image: docker.io/library/$b-web
YML

say "an image-only service named in B's names (a pull would take the name)"
try pull "is in app \"$b\"'s names" <<YML
services:
  web:
    image: $b-web
YML

say "A's own tags are fine"
cat >"$WORLD/src/$a/compose.yaml" <<YML
services:
  web:
    build:
      context: .
      tags: ["$a-web:extra"]
YML
commit_all $a "own"
push $a -f || { cat "$WORLD/push.out"; fail "own tags refused"; }
docker image inspect "$a-web:extra" >/dev/null || fail "$a-web:extra not tagged"

# (shm_size goes to the engine too; BuildKit before Docker 23 ignores it)
say "build.labels, extra_hosts and network reach the build"
cat >"$WORLD/src/$a/Dockerfile" <<DF
FROM $BASE_IMAGE
RUN grep -q "10.9.8.7.*buildhost" /etc/hosts && \\
	[ "\$(ls /sys/class/net | grep -v '^lo\$')" = "" ]
CMD ["sleep", "100000"]
DF
cat >"$WORLD/src/$a/compose.yaml" <<YML
services:
  web:
    build:
      context: .
      labels: {com.example.team: "web"}
      extra_hosts: ["buildhost:10.9.8.7"]
      shm_size: 32m
      network: none
      cache_from: ["$a-web:cache"]
YML
commit_all $a "build keys"
push $a -f || { cat "$WORLD/push.out"; fail "build keys"; }
expect_in "$WORLD/push.out" '"build.cache_from" is ignored'
sha=$(git -C "$WORLD/src/$a" rev-parse HEAD)
[ "$(docker inspect -f '{{index .Config.Labels "com.example.team"}}' "$a-web:$sha")" = web ] ||
	fail "build.labels missing from the image"
[ "$(docker inspect -f '{{index .Config.Labels "slipway.app"}}' "$a-web:$sha")" = "$a" ] ||
	fail "slipway.app label lost"

say "build.platforms: the engine's own only"
arch=$(docker version -f '{{.Server.Os}}/{{.Server.Arch}}')
other=linux/arm64; [ "$arch" != linux/arm64 ] || other=linux/amd64
printf 'FROM %s\nCMD ["sleep", "100000"]\n' "$BASE_IMAGE" >"$WORLD/src/$a/Dockerfile"
cat >"$WORLD/src/$a/compose.yaml" <<YML
services:
  web:
    build:
      context: .
      platforms: ["$other"]
YML
commit_all $a "other platform"
if push $a -f; then cat "$WORLD/push.out"; fail "a foreign platform was built"; fi
expect_in "$WORLD/push.out" "\"build.platforms\" names $other, not the engine's platform ($arch)"
sed -i "s|$other|$arch|" "$WORLD/src/$a/compose.yaml"
commit_all $a "own platform"
push $a -f || { cat "$WORLD/push.out"; fail "the engine's platform refused"; }
cat >"$WORLD/src/$a/compose.yaml" <<YML
services:
  web:
    image: $BASE_IMAGE
    command: ["sleep", "100000"]
    platform: $other
YML
commit_all $a "a service's platform"
if push $a -f; then cat "$WORLD/push.out"; fail "a foreign service platform was pulled"; fi
expect_in "$WORLD/push.out" "service \"web\": \"platform\" names $other, not the engine's platform ($arch)"
say "ok"
