#!/bin/bash
# profiles/apps/convert.cordon on ImageMagick 6's real convert, as root and as uid 65534:
#   - the job: images made outside the sandbox (PNG, JPEG, GIF, and HEIC where this
#     ImageMagick can write it) in a working directory of the user's own are resized and
#     thumbnailed into --set OUT=<workdir>/thumbs, and from stdin to stdout; each output has
#     the new size (identify, outside) and the same pixels (%# signature) as the same convert
#     run outside the sandbox; a blur + resize exercises OpenMP threads, HEIC the codec's;
#   - what the profile forbids, each with a control that the same action works outside:
#     writing beside the input (the working directory is read-only: the open fails with
#     EROFS), pixel-cache files put there with -define registry:temporary-path (convert:
#     "unable to open pixel cache ... Read-only file system"), writing to a host directory
#     outside (ENOENT: it is not there) or to the home (EACCES: an empty tmpfs of mode 0500);
#     reading a stand-in for ~/.ssh/id_rsa as raw pixels (gray:, "No such file or
#     directory") that outside turns the key into an image; and running a delegate (the
#     JPEG-XR one starts /bin/sh outside; inside its clone fails with EPERM).
#
# convert 6.9.11's "unable to open image" message does not show the errno of the failed
# open (it reports the errno a later readlink() left: "No such file or directory" for a new
# file, "Invalid argument" for an existing one, outside the sandbox too). So the errno each
# refused call returned is read from strace, run outside the sandbox around cordon (skipped
# when strace cannot trace here); the pixel-cache message does carry the real errno.
#
# /usr/local/bin/convert may be something else entirely: the test names
# /usr/bin/convert-im6.q16 and /usr/bin/identify-im6.q16.
# Needs the Debian package imagemagick (installed here if missing), and strace for the errno
# checks (installed if possible).
# Usage: app_convert.sh CORDON_BINARY SOURCE_DIR
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
e2e_init "$@"

need convert-im6.q16 imagemagick
need identify-im6.q16 imagemagick
CONVERT=/usr/bin/convert-im6.q16
IDENTIFY=/usr/bin/identify-im6.q16
[[ -x $CONVERT && -x $IDENTIFY ]] || e2e_skip_all "imagemagick is installed, but not as $CONVERT and $IDENTIFY"

# strace, outside the sandbox, to see the errno of each refused call. Optional: without it
# (or with E2E_NO_STRACE=1, to try that path) those checks are skipped.
if ! command -v strace >/dev/null; then
  echo "$(basename "$0"): strace is missing, installing it for the errno checks"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends strace >/dev/null 2>&1 || true
fi
STRACE=$(command -v strace || true)
[[ -n ${E2E_NO_STRACE:-} ]] && STRACE=""
if [[ -n $STRACE ]] && ! "$STRACE" -f -qq -o /dev/null true 2>/dev/null; then STRACE=""; fi
mkdir -p "$T/trace" && chmod 1777 "$T/trace"

# A private key's stand-in in each user's home.
ssh_dirs KEY

# A host directory outside every working directory, writable by both users.
OUTSIDE="$T/outside"
mkdir "$OUTSIDE" && chmod 1777 "$OUTSIDE"

# The inputs, made once outside the sandbox: 640x480 with shapes on a gradient.
SRC="$T/src"
mkdir -p "$SRC" "$T/ref"
if ! { "$CONVERT" -size 640x480 gradient:orange-navy -fill white -draw 'circle 320,240 320,120' \
  -fill black -draw 'rectangle 40,40 200,120' "$SRC/in.png" &&
  "$CONVERT" "$SRC/in.png" -quality 90 "$SRC/in.jpg" && "$CONVERT" "$SRC/in.png" "$SRC/in.gif"; }; then
  e2e_skip_all "$CONVERT cannot make the test images outside the sandbox"
fi
# HEIC where this ImageMagick has an encoder for it (libheif with x265).
if ! "$CONVERT" "$SRC/in.png" "$SRC/in.heic" >/dev/null 2>&1 || ! "$IDENTIFY" "$SRC/in.heic" >/dev/null 2>&1; then
  rm -f "$SRC/in.heic"
fi
# Not an image: a .jxr name is enough for convert to run its JPEG-XR delegate, a shell
# command line (/bin/mv … ; JxrDecApp …) through /bin/sh.
echo "not a JPEG-XR image" >"$SRC/x.jxr"
chmod -R a+rX "$SRC" "$T/ref"

# Per mode: a working directory of the user's own holding the inputs, and thumbs/ in it,
# the output directory given to the profile as OUT.
prepare() {
  W="$T/work/$MODE"
  OUTD="$W/thumbs"
  rm -rf "$W"
  mkdir -p "$OUTD" "$T/ref/$MODE" || exit 2
  cp "$SRC"/* "$W/"
  if [[ $MODE == unpriv ]]; then chown -R 65534:65534 "$W"; fi
  chmod -R a+rX "$W"
  cd "$W" || exit 2
}
enter() {
  W="$T/work/$MODE"
  OUTD="$W/thumbs"
  cd "$W" || exit 2
}

# ccv ARGS: convert under the profile, in the working directory, writing into thumbs/.
ccv() { raw "$CORDON" run -p convert --set "OUT=$OUTD" -- "$CONVERT" "$@"; }

# ctrace ARGS: ccv under strace -f (outside the sandbox); TRACE holds every openat, clone,
# clone3 and execve of cordon and convert, with what each returned. Plain ccv without strace.
TRACE=""
ctrace() {
  local tf="$T/trace/$MODE"
  TRACE=""
  if [[ -z $STRACE ]]; then ccv "$@"; return; fi
  rm -f "$tf"
  raw "$STRACE" -f -qq -e trace=openat,clone,clone3,execve -o "$tf" \
    "$CORDON" run -p convert --set "OUT=$OUTD" -- "$CONVERT" "$@"
  TRACE=$(cat "$tf" 2>/dev/null)
}

# sig FILE: "WxH signature" of the first frame, read outside the sandbox.
sig() { "$IDENTIFY" -format '%wx%h %#' "$1[0]" 2>/dev/null; }

# same NAME OUTPUT WxH ARGS...: convert ARGS… OUTPUT under the profile exits 0 and OUTPUT has
# size WxH and the pixels of the same convert run outside the sandbox.
same() {
  local name=$1 out=$2 size=$3 ref
  shift 3
  ref="$T/ref/$MODE/${out##*/}"
  "$CONVERT" "$@" "$ref" >/dev/null 2>&1
  ccv "$@" "$out"
  expect_rc "$name" 0
  expect "$name-output" "$size $(sig "$ref" | cut -d' ' -f2)" "$(sig "$out")" \
    "$size, same pixels as outside"
}

check_resize() {
  prepare
  same resize-png thumbs/half-png.png 320x240 in.png -resize 50%
  same resize-jpeg thumbs/half-jpg.png 320x240 in.jpg -resize 50%
  same resize-gif thumbs/half-gif.png 320x240 in.gif -resize 50%
  same thumbnail-jpeg thumbs/thumb.jpg 100x75 in.jpg -auto-orient -thumbnail 100x100 -strip -quality 85
  # OpenMP runs the blur and the resize on worker threads (clone with CLONE_THREAD).
  same threads-blur thumbs/blur.png 600x450 -size 1200x900 gradient:red-blue -blur 0x3 -resize 50%
  if [[ -e in.heic ]]; then
    # libheif/libde265 decode on worker threads.
    same resize-heic thumbs/half-heic.png 320x240 in.heic -resize 50%
  else
    skip resize-heic "this ImageMagick cannot write HEIC, so there is no HEIC input"
  fi
  # A pipeline: stdin to stdout, nothing written anywhere.
  LASTCMD="[$MODE] cordon run -p convert --set OUT=$OUTD -- convert png:- -resize 25% png:- < in.png > stdout.png"
  as_mode timeout -k 5 60 "$CORDON" run -p convert --set "OUT=$OUTD" -- "$CONVERT" png:- -resize 25% png:- \
    <in.png >"$T/log/stdout.png" 2>"$T/log/err"
  RC=$? OUT="" ERR=$(<"$T/log/err")
  expect_rc resize-stdin-stdout 0
  expect resize-stdin-stdout-output 160x120 "$(sig "$T/log/stdout.png" | cut -d' ' -f1)"
}

# open_errno NAME FILE ERRNO: in TRACE, convert's open of FILE for writing returned ERRNO.
open_errno() {
  local name=$1 file=$2 errno=$3
  if [[ -z $STRACE ]]; then skip "$name" "no strace that can trace here"; return; fi
  local re="openat\(AT_FDCWD, \"${file//./\\.}\", [A-Z_|]*O_CREAT[A-Z_|]*, 0666\) = -1 $errno "
  expect_in "$name" "$re" "the strace of convert" "$TRACE"
}

check_write_confined() {
  enter
  local home
  home=$(home)
  # Beside the input: outside, the user writes there; inside, the working directory is
  # read-only. convert's message names the file, not the errno (see the header).
  raw "$CONVERT" in.png -resize 50% beside.png
  if [[ $RC -eq 0 && -s beside.png ]]; then pass write-beside-input-outside; else fail write-beside-input-outside "expected the control outside to write beside.png"; fi
  rm -f beside.png
  ctrace in.png -resize 50% beside.png
  expect_rc write-beside-input-refused 1
  expect_in write-beside-input-message "unable to open image .beside\.png.: (No such file or directory|Read-only file system)" stderr "$ERR"
  open_errno write-beside-input-EROFS beside.png EROFS
  if [[ -e beside.png ]]; then fail write-beside-input-absent "expected no beside.png in the working directory"; else pass write-beside-input-absent; fi

  # Temporary files too: -define registry:temporary-path puts the pixel cache (forced to
  # disk by tiny memory limits) in the working directory. This message carries the errno.
  local -a cache=(-define "registry:temporary-path=$W" -limit memory 1MiB -limit map 1MiB in.png -resize 50%)
  raw "$CONVERT" "${cache[@]}" thumbs/cache-outside.png
  expect write-temp-outside 0 "$RC" "the control outside exits 0"
  ccv "${cache[@]}" thumbs/cache.png
  expect_rc write-temp-refused 1
  expect_in write-temp-EROFS "unable to open pixel cache .in\.png.: Read-only file system" stderr "$ERR"
  expect write-temp-none-left "" "$(find "$W" -maxdepth 1 -name 'magick-*')" "no magick-* file in the working directory"

  # A host directory outside the working directory: not in the sandbox at all.
  local file="$OUTSIDE/stolen-$MODE.png"
  raw "$CONVERT" in.png -resize 50% "$OUTSIDE/control-$MODE.png"
  if [[ $RC -eq 0 && -s $OUTSIDE/control-$MODE.png ]]; then pass write-host-dir-outside; else fail write-host-dir-outside "expected the control outside to write $OUTSIDE/control-$MODE.png"; fi
  rm -f "$OUTSIDE/control-$MODE.png"
  ctrace in.png -resize 50% "$file"
  expect_rc write-host-dir-refused 1
  expect_in write-host-dir-message "unable to open image .${file//./\\.}.: No such file or directory" stderr "$ERR"
  open_errno write-host-dir-ENOENT "$file" ENOENT
  expect write-host-dir-absent "" "$(ls -A "$OUTSIDE")" "$OUTSIDE empty"

  # The home: inside, an empty tmpfs of mode 0500 (no capability overrides it, as root too).
  raw "$CONVERT" in.png -resize 50% "$home/control.png"
  if [[ $RC -eq 0 && -s $home/control.png ]]; then pass write-home-outside; else fail write-home-outside "expected the control outside to write $home/control.png"; fi
  rm -f "$home/control.png"
  ctrace in.png -resize 50% "$home/stolen.png"
  expect_rc write-home-refused 1
  expect_in write-home-message "unable to open image .${home//./\\.}/stolen\.png." stderr "$ERR"
  open_errno write-home-EACCES "$home/stolen.png" EACCES
  if [[ -e $home/stolen.png ]]; then fail write-home-absent "expected no $home/stolen.png"; else pass write-home-absent; fi
}

check_key_unreadable() {
  enter
  local key n
  key="$(home)/.ssh/id_rsa"
  n=$(stat -c %s "$key")
  # Outside, the same convert as the same user turns the key into an image (gray: reads any
  # file as raw 8-bit pixels), and back: the refusal below is the sandbox's.
  raw "$CONVERT" -size "${n}x1" -depth 8 "gray:$key" thumbs/key-outside.png
  expect key-readable-outside 0 "$RC" "exit 0"
  expect_in key-readable-outside-content "cordon-fake-home-(root|unpriv)" "the image's pixels" \
    "$("$CONVERT" thumbs/key-outside.png -depth 8 gray:- 2>/dev/null | tr -d '\0')"
  rm -f thumbs/key-outside.png
  ccv -size "${n}x1" -depth 8 "gray:$key" thumbs/key.png
  expect_rc key-refused 1
  expect_in key-refused-ENOENT "unable to open image .${key//./\\.}.: No such file or directory" stderr "$ERR"
  if [[ -e thumbs/key.png ]]; then fail key-not-leaked "thumbs/key.png exists"; else pass key-not-leaked; fi
}

check_no_programs() {
  enter
  if [[ -z $STRACE ]]; then skip delegate-refused "no strace that can trace here"; return; fi
  # Outside, convert runs the JPEG-XR delegate through /bin/sh (which then fails to find
  # JxrDecApp, or decodes garbage: either way a shell ran).
  local tf="$T/trace/$MODE-outside"
  raw "$STRACE" -f -qq -e trace=execve -o "$tf" "$CONVERT" x.jxr thumbs/x-outside.png
  expect_in delegate-runs-shell-outside 'execve\("/bin/sh", \[.*\) = 0' "the strace of convert outside" "$(cat "$tf" 2>/dev/null)"
  # Inside, posix_spawn's clone3 gets ENOSYS and its clone(CLONE_VM|CLONE_VFORK) EPERM.
  ctrace x.jxr thumbs/x.png
  expect_rc delegate-refused 1
  expect_in delegate-clone-EPERM 'clone\(.*CLONE_VFORK.*\) = -1 EPERM' "the strace of convert" "$TRACE"
  if grep -q 'execve("/bin/sh"' <<<"$TRACE"; then fail delegate-no-shell "expected no execve of /bin/sh under the profile"; else pass delegate-no-shell; fi
}

both check_resize
both check_write_confined
both check_key_unreadable
both check_no_programs
cd "$T" || exit 2
e2e_finish
