#!/usr/bin/env bash
# build.sh — gsmbox's one entry point for people.
#
#   ./build.sh                 list the boards
#   ./build.sh BOARD           build out/BOARD.img (a thin wrapper over tools/mkimage)
#   ./build.sh run BOARD [...] boot out/BOARD.img in QEMU
#   ./build.sh test            install the test tools (Debian packages) and run every test
#   ./build.sh sim [flags]     run the simulated network (same binary a board boots);
#                              with no flags: 6 virtual phones register, text each other and call
#                              (keys provisioned: authenticated and ciphered)
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the interop and image tests need: independent
# implementations we check ourselves against, and the image tooling.
TEST_PACKAGES=(
	gr-gsm tshark libgsm-tools libosmocore-utils
	qemu-system-arm u-boot-qemu u-boot-tools dosfstools mtools
	osmo-bts osmo-bsc espeak-ng ipxe-qemu libopencore-amrnb0
	chromium prometheus e2fsprogs
	kamailio baresip-core
)

install_test_packages() {
	local missing=()
	for p in "${TEST_PACKAGES[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "build.sh: installing ${missing[*]}" >&2
	local sudo=""
	[ "$(id -u)" -ne 0 ] && sudo="sudo"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

case "${1:-}" in
test)
	shift
	install_test_packages
	# Missing tools fail the interop tier instead of skipping it.
	export GSMBOX_REQUIRE_TOOLS=1
	exec go test -timeout 60m "$@" ./...
	;;
sim)
	shift
	[ $# -eq 0 ] && set -- --phones 6 --provision --sms 2 --calls 2 --talk 5s
	exec go run ./cmd/gsmbox sim "$@"
	;;
*)
	exec go run ./tools/mkimage "$@"
	;;
esac
