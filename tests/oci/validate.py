#!/usr/bin/python3
"""What `cordon compile --emit oci|oci-seccomp|k8s` writes for every shipped profile, checked
(and for tests/oci/extra/*.cordon) against the OCI runtime-spec's own JSON schemas (../shared/corpus/oci-schema, draft-04):

- oci: the emitted process/mounts/linux parts plus what the user adds (root, process.args,
  process.cwd) must validate as a whole config.json;
- oci-seccomp: must validate as linux.seccomp of a config;
- k8s: must parse as YAML into a SeccompProfile whose spec validates as linux.seccomp once
  errnoRet is a number again (the operator's CRD types it as a string).

Usage: validate.py CORDON_BINARY SOURCE_DIR. Exit 0 all valid, 1 a failure, 77 skipped (no
corpus, or python3-jsonschema / python3-yaml missing) with a loud SKIPPED line.
"""
import json
import os
import subprocess
import sys

# Values for the variables shipped profiles require (`--set`), as the unit tests give them.
SETS = {"REPO": "/srv/repo.git", "CONF": "/srv/conf/service.conf", "ROOT": "/srv/www",
        "STATE": "/srv/state", "DATA": "/srv/data", "PORT": "8080", "OUT": "/srv/out"}


def skip(why):
    print("#" * 72)
    print(f"SKIPPED {os.path.basename(sys.argv[0])}: {why}")
    print("#" * 72)
    sys.exit(77)


def main():
    if len(sys.argv) != 3:
        print("usage: validate.py CORDON_BINARY SOURCE_DIR", file=sys.stderr)
        return 2
    cordon, src = sys.argv[1], sys.argv[2]
    schema_dir = os.path.realpath(os.path.join(src, "..", "shared", "corpus", "oci-schema"))
    if not os.path.isfile(os.path.join(schema_dir, "config-schema.json")):
        skip(f"no OCI schemas at {schema_dir} (../shared/corpus beside the checkout)")
    try:
        import jsonschema
        import yaml
    except ImportError as e:
        skip(f"{e.name} is not installed (Debian: python3-jsonschema, python3-yaml)")

    with open(os.path.join(schema_dir, "config-schema.json")) as f:
        schema = json.load(f)
    resolver = jsonschema.RefResolver(base_uri=f"file://{schema_dir}/", referrer=schema)
    validator = jsonschema.Draft4Validator(schema, resolver=resolver)

    def errors(doc):
        return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
                for e in validator.iter_errors(doc)]

    def emit(profile, what):
        cmd = [cordon, "compile", profile, "--emit", what]
        for k, v in SETS.items():
            cmd += ["--set", f"{k}={v}"]
        env = dict(os.environ, CORDON_PROFILES=os.path.join(src, "profiles"))
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
        return r.stdout

    profiles = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(src, "profiles"))
                      for f in fs if f.endswith(".cordon"))
    # Policies with parts no shipped profile has (a device list).
    extra = os.path.join(src, "tests", "oci", "extra")
    profiles += sorted(os.path.join(extra, f) for f in os.listdir(extra) if f.endswith(".cordon"))
    failed = 0
    checked = 0
    for p in profiles:
        name = os.path.relpath(p, os.path.join(src, "profiles"))
        if name.startswith(".."):
            name = os.path.relpath(p, src)
        try:
            config = json.loads(emit(p, "oci"))
            config["root"] = {"path": "rootfs", "readonly": True}
            config["process"]["args"] = ["/bin/true"]
            config["process"]["cwd"] = "/"
            seccomp = json.loads(emit(p, "oci-seccomp"))
            k8s = yaml.safe_load(emit(p, "k8s"))
        except (RuntimeError, ValueError, yaml.YAMLError) as e:
            print(f"FAIL {name}: {e}")
            failed += 1
            continue
        problems = [f"oci: {e}" for e in errors(config)]
        problems += [f"oci-seccomp: {e}" for e in
                     errors({"ociVersion": "1.0.2", "linux": {"seccomp": seccomp}})]
        if k8s.get("kind") != "SeccompProfile" or "spec" not in k8s:
            problems.append(f"k8s: not a SeccompProfile: {str(k8s)[:80]}")
        else:
            spec = k8s["spec"]
            for s in spec.get("syscalls", []):
                if "errnoRet" in s:
                    s["errnoRet"] = int(s["errnoRet"])
            problems += [f"k8s spec: {e}" for e in
                         errors({"ociVersion": "1.0.2", "linux": {"seccomp": spec}})]
        # The emitted config's seccomp is the oci-seccomp output, note for note.
        seccomp.pop("x-cordon-not-expressed", None)
        if config["linux"]["seccomp"] != seccomp:
            problems.append("oci's linux.seccomp differs from --emit oci-seccomp")
        if problems:
            failed += 1
            print(f"FAIL {name}:")
            for m in problems[:10]:
                print(f"       {m}")
        else:
            checked += 1
            print(f"ok   {name}: oci ({len(config['mounts'])} mounts, "
                  f"{len(config['annotations'])} annotations), oci-seccomp "
                  f"({len(seccomp['syscalls'])} entries) and k8s valid")
    print(f"-- validate.py: {checked} profiles valid, {failed} failed")
    return 1 if failed or checked < 12 else 0


if __name__ == "__main__":
    sys.exit(main())
