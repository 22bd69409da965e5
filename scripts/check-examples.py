#!/usr/bin/env python3
"""Checks examples/ and the example service pod; exits non-zero on any problem.

  - every examples/**/*.tf parses as HCL (python-hcl2; Terraform itself is not in Debian), and
    every kubernetes_stateful_set(_v1) in it uses only blocks and attributes of the provider's
    documented schema (the table below), with the required ones present;
  - in each such StatefulSet the lifecycle containers are wired as charon-lifecycle expects
    (docs/lifecycle.md): lifecycle-cleanup the first init container and lifecycle-dns-create
    beside the app, both localhost/tailscale-lifecycle:latest with image_pull_policy Never and the
    variables the two roles need, secrets only as files from a Secret volume their user can read,
    no fs_group, the key file where tailscale reads it, and the same FQDN TS_HOSTNAME as the
    tailscale container;
  - every examples/**/*.yaml parses; no Secret object is shipped (applied again, it would
    overwrite real keys); cert-manager objects use only fields of cert-manager.io/v1 (the table
    below), a ClusterIssuer answers DNS-01 with a Cloudflare API token referenced by Secret and
    key, and each Certificate names an issuer of the examples and writes the Secret the example
    pod's nginx-tls mounts, for the name dns-create keeps;
  - daemonset/example-statefulset.yaml ships no Secret, creates the namespaces it uses, sets no
    fsGroup, and uses one FQDN TS_HOSTNAME in tailscale and both lifecycle containers.

  scripts/check-examples.py              check this repository
  scripts/check-examples.py --self-test  prove the checks catch what they should

Run by `make test` with .build/tools/venv/bin/python (scripts/install-tools.sh python installs
python-hcl2 and PyYAML there).
"""

import os
import re
import sys

import hcl2
import yaml
from hcl2 import SerializationOptions

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE_POD = os.path.join("daemonset", "example-statefulset.yaml")

LIFECYCLE_IMAGE = "localhost/tailscale-lifecycle:latest"
LIFECYCLE_UID = "65532"
# What both roles read (docs/lifecycle.md#settings): the node's name, the zone, Headscale and
# Cloudflare, secrets only as files.
LIFECYCLE_ENV = {
    "TS_HOSTNAME", "DOMAIN_NAME", "HEADSCALE_URL", "HEADSCALE_USER", "HEADSCALE_API_KEY_FILE",
    "CLOUDFLARE_API_TOKEN_FILE", "CLOUDFLARE_ZONE_ID",
}
PLAIN_SECRETS = {"HEADSCALE_API_KEY", "CLOUDFLARE_API_TOKEN"}
DEFAULT_AUTHKEY_PATH = "/tailscale-auth/authkey"
STATEFUL_SETS = {"kubernetes_stateful_set", "kubernetes_stateful_set_v1"}
# Meta-arguments Terraform accepts in any resource block.
META_ARGUMENTS = {"count", "for_each", "depends_on", "lifecycle", "provider"}

# kubernetes_stateful_set_v1 (the same schema as kubernetes_stateful_set) as the hashicorp/kubernetes
# provider documents it (3.2.1): path -> (attributes, blocks, required), names separated by
# spaces. Transcribed for the parts a service pod uses; a block whose path is missing here is
# reported, so extend the table from the provider's documentation when an example needs more.
SCHEMA = {
    '': ('wait_for_rollout', 'metadata spec timeouts', 'metadata spec'),
    'metadata': ('annotations generate_name labels name namespace', '', ''),
    'spec': ('pod_management_policy replicas revision_history_limit service_name', 'persistent_volume_claim_retention_policy selector template update_strategy volume_claim_template', 'selector service_name template'),
    'spec.persistent_volume_claim_retention_policy': ('when_deleted when_scaled', '', ''),
    'spec.selector': ('match_labels', 'match_expressions', ''),
    'spec.selector.match_expressions': ('key operator values', '', ''),
    'spec.template': ('', 'metadata spec', 'metadata'),
    'spec.template.metadata': ('annotations generate_name labels name namespace', '', ''),
    'spec.template.spec': ('active_deadline_seconds automount_service_account_token dns_policy enable_service_links host_ipc host_network host_pid hostname node_name node_selector priority_class_name restart_policy runtime_class_name scheduler_name service_account_name share_process_namespace subdomain termination_grace_period_seconds', 'affinity container dns_config host_aliases image_pull_secrets init_container os readiness_gate security_context toleration topology_spread_constraint volume', ''),
    'spec.template.spec.container': ('args command image image_pull_policy name stdin stdin_once termination_message_path termination_message_policy tty working_dir', 'env env_from lifecycle liveness_probe port readiness_probe resources security_context startup_probe volume_device volume_mount', 'name'),
    'spec.template.spec.container.env': ('name value', 'value_from', 'name'),
    'spec.template.spec.container.env.value_from': ('', 'config_map_key_ref field_ref resource_field_ref secret_key_ref', ''),
    'spec.template.spec.container.env.value_from.config_map_key_ref': ('key name optional', '', ''),
    'spec.template.spec.container.env.value_from.field_ref': ('api_version field_path', '', ''),
    'spec.template.spec.container.env.value_from.secret_key_ref': ('key name optional', '', ''),
    'spec.template.spec.container.env_from': ('prefix', 'config_map_ref secret_ref', ''),
    'spec.template.spec.container.env_from.config_map_ref': ('name optional', '', 'name'),
    'spec.template.spec.container.env_from.secret_ref': ('name optional', '', 'name'),
    'spec.template.spec.container.liveness_probe': ('failure_threshold initial_delay_seconds period_seconds success_threshold timeout_seconds', 'exec grpc http_get tcp_socket', ''),
    'spec.template.spec.container.liveness_probe.exec': ('command', '', ''),
    'spec.template.spec.container.liveness_probe.http_get': ('host path port scheme', 'http_header', ''),
    'spec.template.spec.container.liveness_probe.tcp_socket': ('port', '', 'port'),
    'spec.template.spec.container.port': ('container_port host_ip host_port name protocol', '', 'container_port'),
    'spec.template.spec.container.resources': ('limits requests', '', ''),
    'spec.template.spec.container.security_context': ('allow_privilege_escalation privileged read_only_root_filesystem run_as_group run_as_non_root run_as_user', 'capabilities se_linux_options seccomp_profile', ''),
    'spec.template.spec.container.security_context.capabilities': ('add drop', '', ''),
    'spec.template.spec.container.security_context.seccomp_profile': ('localhost_profile type', '', ''),
    'spec.template.spec.container.volume_mount': ('mount_path mount_propagation name read_only sub_path', '', 'mount_path name'),
    'spec.template.spec.init_container': ('args command image image_pull_policy name restart_policy stdin stdin_once termination_message_path termination_message_policy tty working_dir', 'env env_from lifecycle liveness_probe port readiness_probe resources security_context startup_probe volume_device volume_mount', 'name'),
    'spec.template.spec.init_container.env': ('name value', 'value_from', 'name'),
    'spec.template.spec.init_container.env.value_from': ('', 'config_map_key_ref field_ref resource_field_ref secret_key_ref', ''),
    'spec.template.spec.init_container.env.value_from.config_map_key_ref': ('key name optional', '', ''),
    'spec.template.spec.init_container.env.value_from.field_ref': ('api_version field_path', '', ''),
    'spec.template.spec.init_container.env.value_from.secret_key_ref': ('key name optional', '', ''),
    'spec.template.spec.init_container.env_from': ('prefix', 'config_map_ref secret_ref', ''),
    'spec.template.spec.init_container.env_from.config_map_ref': ('name optional', '', 'name'),
    'spec.template.spec.init_container.env_from.secret_ref': ('name optional', '', 'name'),
    'spec.template.spec.init_container.liveness_probe': ('failure_threshold initial_delay_seconds period_seconds success_threshold timeout_seconds', 'exec grpc http_get tcp_socket', ''),
    'spec.template.spec.init_container.liveness_probe.exec': ('command', '', ''),
    'spec.template.spec.init_container.liveness_probe.http_get': ('host path port scheme', 'http_header', ''),
    'spec.template.spec.init_container.liveness_probe.tcp_socket': ('port', '', 'port'),
    'spec.template.spec.init_container.port': ('container_port host_ip host_port name protocol', '', 'container_port'),
    'spec.template.spec.init_container.resources': ('limits requests', '', ''),
    'spec.template.spec.init_container.security_context': ('allow_privilege_escalation privileged read_only_root_filesystem run_as_group run_as_non_root run_as_user', 'capabilities se_linux_options seccomp_profile', ''),
    'spec.template.spec.init_container.security_context.capabilities': ('add drop', '', ''),
    'spec.template.spec.init_container.security_context.seccomp_profile': ('localhost_profile type', '', ''),
    'spec.template.spec.init_container.volume_mount': ('mount_path mount_propagation name read_only sub_path', '', 'mount_path name'),
    'spec.template.spec.security_context': ('fs_group fs_group_change_policy run_as_group run_as_non_root run_as_user supplemental_groups', 'se_linux_options seccomp_profile sysctl windows_options', ''),
    'spec.template.spec.security_context.seccomp_profile': ('localhost_profile type', '', ''),
    'spec.template.spec.volume': ('name', 'aws_elastic_block_store azure_disk azure_file ceph_fs cinder config_map csi downward_api empty_dir ephemeral fc flex_volume flocker gce_persistent_disk git_repo glusterfs host_path iscsi local nfs persistent_volume_claim photon_persistent_disk projected quobyte rbd secret vsphere_volume', ''),
    'spec.template.spec.volume.config_map': ('default_mode name optional', 'items', ''),
    'spec.template.spec.volume.config_map.items': ('key mode path', '', ''),
    'spec.template.spec.volume.empty_dir': ('medium size_limit', '', ''),
    'spec.template.spec.volume.host_path': ('path type', '', ''),
    'spec.template.spec.volume.persistent_volume_claim': ('claim_name read_only', '', ''),
    'spec.template.spec.volume.secret': ('default_mode optional secret_name', 'items', ''),
    'spec.template.spec.volume.secret.items': ('key mode path', '', ''),
    'spec.update_strategy': ('type', 'rolling_update', ''),
    'spec.update_strategy.rolling_update': ('partition', '', ''),
    'spec.volume_claim_template': ('', 'metadata spec', 'metadata spec'),
    'spec.volume_claim_template.metadata': ('annotations generate_name labels name namespace', '', ''),
    'spec.volume_claim_template.spec': ('access_modes storage_class_name volume_mode volume_name', 'resources selector', 'access_modes resources'),
    'spec.volume_claim_template.spec.resources': ('limits requests', '', ''),
    'spec.volume_claim_template.spec.selector': ('match_labels', 'match_expressions', ''),
    'spec.volume_claim_template.spec.selector.match_expressions': ('key operator values', '', ''),
}

SCHEMA = {path: tuple(set(names.split()) for names in entry) for path, entry in SCHEMA.items()}

# cert-manager.io/v1 as its CRDs define it: path -> the fields allowed there ("[]" = list items),
# for the objects and paths the examples use.
CERT_MANAGER = {
    ("ClusterIssuer", ""): {"apiVersion", "kind", "metadata", "spec"},
    ("ClusterIssuer", "spec"): {"acme", "ca", "selfSigned", "vault", "venafi"},
    ("ClusterIssuer", "spec.acme"): {
        "caBundle", "disableAccountKeyGeneration", "email", "enableDurationFeature",
        "externalAccountBinding", "preferredChain", "privateKeySecretRef", "profile",
        "renewalInformationSource", "server", "skipTLSVerify", "solvers",
    },
    ("ClusterIssuer", "spec.acme.privateKeySecretRef"): {"key", "name"},
    ("ClusterIssuer", "spec.acme.solvers[]"): {"dns01", "http01", "selector", "waitInsteadOfSelfCheck"},
    ("ClusterIssuer", "spec.acme.solvers[].selector"): {"dnsNames", "dnsZones", "matchLabels"},
    ("ClusterIssuer", "spec.acme.solvers[].dns01"): {
        "acmeDNS", "akamai", "azureDNS", "cloudDNS", "cloudflare", "cnameStrategy", "digitalocean",
        "nameservers", "rfc2136", "route53", "webhook",
    },
    ("ClusterIssuer", "spec.acme.solvers[].dns01.cloudflare"): {"apiKeySecretRef", "apiTokenSecretRef", "email"},
    ("ClusterIssuer", "spec.acme.solvers[].dns01.cloudflare.apiTokenSecretRef"): {"key", "name"},
    ("Certificate", ""): {"apiVersion", "kind", "metadata", "spec"},
    ("Certificate", "spec"): {
        "additionalOutputFormats", "commonName", "dnsNames", "duration", "emailAddresses",
        "encodeUsagesInRequest", "ipAddresses", "isCA", "issuerRef", "keystores", "literalSubject",
        "nameConstraints", "otherNames", "privateKey", "renewBefore", "renewBeforePercentage",
        "renewal", "revisionHistoryLimit", "secretName", "secretTemplate", "signatureAlgorithm",
        "subject", "uris", "usages",
    },
    ("Certificate", "spec.issuerRef"): {"group", "kind", "name"},
    ("Certificate", "spec.privateKey"): {"algorithm", "encoding", "rotationPolicy", "size"},
}
CERT_MANAGER["Issuer", ""] = CERT_MANAGER["ClusterIssuer", ""]
for (kind, path), fields in list(CERT_MANAGER.items()):
    if kind == "ClusterIssuer" and path:
        CERT_MANAGER["Issuer", path] = fields
# Paths whose contents are free-form (metadata) or not checked further.
CERT_MANAGER_OPEN = {"metadata"}


# MARK: - Terraform

HCL_OPTIONS = SerializationOptions(strip_string_quotes=True, with_comments=False)
LOCAL_REFERENCE = re.compile(r"\$\{local\.([A-Za-z0-9_]+)\}")


def parse_hcl(text):
    return hcl2.loads(text, serialization_options=HCL_OPTIONS)


def blocks(node, name):
    """The blocks `name` directly inside `node` (python-hcl2 keeps each block type as a list)."""
    value = node.get(name, [])
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def is_block_list(value):
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) and item.get("__is_block__") for item in value)


def check_schema(node, path, where, problems):
    allowed = SCHEMA.get(path)
    if allowed is None:
        problems.append(f"{where}: block {path} is not in this check's schema table; add it from the provider's documentation")
        return
    attributes, nested, required = allowed
    present = set()
    for key, value in node.items():
        if key.startswith("__"):
            continue
        if not path and key in META_ARGUMENTS:
            continue
        if key == "dynamic":
            for item in value:
                for name, dynamic in item.items():
                    if name not in nested:
                        problems.append(f"{where}: dynamic \"{name}\": {path or 'the resource'} has no block {name}")
                        continue
                    present.add(name)
                    extra = set(dynamic) - {"for_each", "content", "iterator", "labels", "__is_block__"}
                    if extra or "for_each" not in dynamic or not blocks(dynamic, "content"):
                        problems.append(f"{where}: dynamic \"{name}\" needs for_each and one content block (has {sorted(set(dynamic) - {'__is_block__'})})")
                    for content in blocks(dynamic, "content"):
                        check_schema(content, f"{path}.{name}".lstrip("."), where, problems)
            continue
        present.add(key)
        child = f"{path}.{key}".lstrip(".")
        if key in nested:
            if not is_block_list(value):
                problems.append(f"{where}: {child} is a block, written here as an attribute (`{key} = …`)")
                continue
            for item in value:
                check_schema(item, child, where, problems)
        elif key in attributes:
            if is_block_list(value):
                problems.append(f"{where}: {child} is an attribute, written here as a block (`{key} {{ … }}`)")
        else:
            problems.append(f"{where}: {path or 'the resource'} has no attribute or block named {key}")
    for name in sorted(required - present):
        problems.append(f"{where}: {path or 'the resource'} lacks the required {name}")


class Locals:
    """The locals of one file, to follow `local.x` in values (no other expressions are evaluated)."""

    def __init__(self, document):
        self.values = {}
        for block in document.get("locals", []):
            self.values.update({key: value for key, value in block.items() if not key.startswith("__")})

    def resolve(self, value, depth=0):
        if depth > 10 or not isinstance(value, str):
            return value
        whole = LOCAL_REFERENCE.fullmatch(value)
        if whole and whole.group(1) in self.values and not isinstance(self.values[whole.group(1)], str):
            return self.resolve(self.values[whole.group(1)], depth + 1)

        def substitute(match):
            replacement = self.values.get(match.group(1))
            return self.resolve(replacement, depth + 1) if isinstance(replacement, str) else match.group(0)

        return LOCAL_REFERENCE.sub(substitute, value)


def hcl_environment(container, local, where, problems):
    """name -> value (resolved through locals) of the container's env, dynamic blocks included;
    a value from a Secret or elsewhere is `valueFrom`."""
    values = {}
    for entry in blocks(container, "env"):
        values[local.resolve(entry.get("name"))] = local.resolve(entry.get("value")) if "value" in entry else "valueFrom"
    for item in container.get("dynamic", []):
        dynamic = item.get("env")
        if not isinstance(dynamic, dict):
            continue
        source = local.resolve(dynamic.get("for_each"))
        content = (blocks(dynamic, "content") or [{}])[0]
        if not isinstance(source, dict) or content.get("name") != "${env.key}" or content.get("value") != "${env.value}":
            problems.append(f"{where}: dynamic \"env\" must iterate a local map with name = env.key, value = env.value (checkable)")
            continue
        for name, value in source.items():
            if not name.startswith("__"):
                values[name] = local.resolve(value)
    return values


def hcl_mounts(container):
    return {entry.get("mount_path"): entry for entry in blocks(container, "volume_mount")}


def check_stateful_set(resource, local, where, problems):
    template = (blocks(resource, "spec") or [{}])[0]
    template = (blocks(template, "template") or [{}])[0]
    pod = (blocks(template, "spec") or [{}])[0]
    for context in blocks(pod, "security_context"):
        if "fs_group" in context:
            problems.append(f"{where}: the pod sets fs_group; kubelet would re-own the app's data volume (use file modes)")
    volumes = {volume.get("name"): volume for volume in blocks(pod, "volume")}
    inits = blocks(pod, "init_container")
    containers = blocks(pod, "container")
    named = {container.get("name"): container for container in inits + containers}

    cleanup = named.get("lifecycle-cleanup")
    dns = named.get("lifecycle-dns-create")
    tailscale = named.get("tailscale")
    if cleanup is None or not inits or inits[0] is not cleanup:
        problems.append(f"{where}: lifecycle-cleanup must be the first init_container")
    if dns is None:
        problems.append(f"{where}: no lifecycle-dns-create container")
    elif dns in inits and dns.get("restart_policy") != "Always":
        problems.append(f"{where}: lifecycle-dns-create as an init_container must have restart_policy = \"Always\" (a native sidecar)")
    if tailscale is None:
        problems.append(f"{where}: no tailscale container")
    if cleanup is None or dns is None or tailscale is None:
        return

    hostnames = {}
    environments = {}
    for name, container, role in (("lifecycle-cleanup", cleanup, "cleanup"), ("lifecycle-dns-create", dns, "dns-create")):
        subject = f"{where}: {name}"
        if container.get("image") != LIFECYCLE_IMAGE:
            problems.append(f"{subject}: image must be {LIFECYCLE_IMAGE}, not {container.get('image')}")
        if container.get("image_pull_policy") != "Never":
            problems.append(f"{subject}: image_pull_policy must be Never (the image is built on the node, never pulled)")
        if container.get("args") != [role] or "command" in container:
            problems.append(f"{subject}: args must be [\"{role}\"] and no command (the image's entrypoint is charon-lifecycle)")
        env = hcl_environment(container, local, subject, problems)
        for missing in sorted(LIFECYCLE_ENV - set(env)):
            problems.append(f"{subject}: env lacks {missing}")
        for plain in sorted(PLAIN_SECRETS & set(env)):
            problems.append(f"{subject}: {plain} in the environment; secrets come from files ({plain}_FILE)")
        for name_, value in env.items():
            if value == "valueFrom" and name_ in LIFECYCLE_ENV:
                problems.append(f"{subject}: {name_} from value_from; give it a plain value")
        hostnames[name] = env.get("TS_HOSTNAME")
        environments[role] = env
        check_secret_files(container, env, volumes, subject, problems)
        context = (blocks(container, "security_context") or [{}])[0]
        if str(context.get("run_as_user")) != LIFECYCLE_UID or context.get("run_as_non_root") is not True:
            problems.append(f"{subject}: security_context needs run_as_user = \"{LIFECYCLE_UID}\" and run_as_non_root = true")
    authkey = environments["cleanup"].get("AUTHKEY_OUTPUT_PATH", DEFAULT_AUTHKEY_PATH)

    tailscale_env = hcl_environment(tailscale, local, f"{where}: tailscale", problems)
    hostnames["tailscale"] = tailscale_env.get("TS_HOSTNAME")
    check_hostnames(hostnames, environments["cleanup"].get("DOMAIN_NAME"), where, problems)
    if tailscale_env.get("TS_AUTHKEY") != f"file:{authkey}":
        problems.append(f"{where}: tailscale's TS_AUTHKEY must be file:{authkey}, where cleanup writes the key (is {tailscale_env.get('TS_AUTHKEY')})")
    folder = os.path.dirname(authkey)
    writer = hcl_mounts(cleanup).get(folder)
    reader = hcl_mounts(tailscale).get(folder)
    if writer is None or reader is None or writer.get("name") != reader.get("name"):
        problems.append(f"{where}: lifecycle-cleanup and tailscale must mount one volume at {folder}")
    else:
        if writer.get("read_only") is True:
            problems.append(f"{where}: lifecycle-cleanup mounts {folder} read-only; it writes the key there")
        if reader.get("read_only") is not True:
            problems.append(f"{where}: tailscale should mount {folder} read_only = true")
        volume = volumes.get(writer.get("name"), {})
        if not blocks(volume, "empty_dir"):
            problems.append(f"{where}: the key volume {writer.get('name')} must be an empty_dir (medium Memory)")
    context = (blocks(tailscale, "security_context") or [{}])[0]
    check_key_reader(str(context.get("run_as_user", "")) or None, (blocks(context, "capabilities") or [{}])[0], where, problems)


def check_secret_files(container, env, volumes, subject, problems):
    """Each *_FILE lies under a mount of a Secret volume that the lifecycle user can read."""
    mounts = hcl_mounts(container)
    for variable in ("HEADSCALE_API_KEY_FILE", "CLOUDFLARE_API_TOKEN_FILE"):
        path = env.get(variable)
        if not isinstance(path, str) or not path.startswith("/"):
            continue
        mount = mounts.get(os.path.dirname(path))
        volume = volumes.get(mount.get("name")) if mount else None
        secret = (blocks(volume, "secret") or [None])[0] if volume else None
        if secret is None:
            problems.append(f"{subject}: {variable} ({path}) is not in a mounted secret volume")
            continue
        mode = int(str(secret.get("default_mode", "0644")), 8)
        if not mode & 0o004:
            problems.append(f"{subject}: the secret volume {mount.get('name')} has default_mode {secret.get('default_mode')}: root-owned files uid {LIFECYCLE_UID} cannot read without fs_group (use 0444)")


def check_hostnames(hostnames, domain, where, problems):
    values = set(hostnames.values())
    if len(values) != 1 or None in values:
        problems.append(f"{where}: TS_HOSTNAME must be the same in {', '.join(hostnames)}: {hostnames}")
        return
    hostname = values.pop()
    if not isinstance(domain, str) or not hostname.endswith("." + domain):
        problems.append(f"{where}: TS_HOSTNAME {hostname} must be the FQDN, <service>.{domain} (cleanup matches the node's name exactly)")


def check_key_reader(user, capabilities, where, problems):
    """tailscale reads a 0600 file of uid 65532: as that uid, or as root able to bypass file modes."""
    if user is not None and user not in {"0", LIFECYCLE_UID}:
        problems.append(f"{where}: tailscale runs as uid {user}: it cannot read the 0600 key of uid {LIFECYCLE_UID}; run it as {LIFECYCLE_UID}")
    if user in {None, "0"} and "ALL" in (capabilities.get("drop") or []):
        if not {"DAC_OVERRIDE", "DAC_READ_SEARCH"} & set(capabilities.get("add") or []):
            problems.append(f"{where}: tailscale drops ALL capabilities as root: add DAC_READ_SEARCH to read the key of uid {LIFECYCLE_UID}")


def check_terraform(text, where):
    problems = []
    try:
        document = parse_hcl(text)
    except Exception as error:  # python-hcl2 raises lark's exceptions, several classes
        return [f"{where}: does not parse as HCL: {str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__}"], 0
    local = Locals(document)
    found = 0
    for group in document.get("resource", []):
        for kind, resources in group.items():
            if kind not in STATEFUL_SETS:
                continue
            for name, resource in resources.items():
                found += 1
                subject = f"{where}: {kind}.{name}"
                check_schema(resource, "", subject, problems)
                check_stateful_set(resource, local, subject, problems)
    return problems, found


# MARK: - YAML

def fields(kind, path, node, where, problems):
    allowed = CERT_MANAGER.get((kind, path))
    if allowed is None or not isinstance(node, dict):
        return
    for key, value in node.items():
        child = f"{path}.{key}".lstrip(".")
        if key not in allowed:
            problems.append(f"{where}: {kind} has no field {child}")
        elif child in CERT_MANAGER_OPEN:
            continue
        elif isinstance(value, list):
            for item in value:
                fields(kind, child + "[]", item, where, problems)
        else:
            fields(kind, child, value, where, problems)


def check_issuer(document, where, problems):
    acme = (document.get("spec") or {}).get("acme") or {}
    if not str(acme.get("server", "")).startswith("https://") or not (acme.get("privateKeySecretRef") or {}).get("name"):
        problems.append(f"{where}: spec.acme needs an https server and privateKeySecretRef.name")
    tokens = []
    for solver in acme.get("solvers") or []:
        cloudflare = ((solver or {}).get("dns01") or {}).get("cloudflare")
        if cloudflare is None:
            continue
        if "apiKeySecretRef" in cloudflare:
            problems.append(f"{where}: the Cloudflare solver uses a global API key; use apiTokenSecretRef (the zone's token)")
        reference = cloudflare.get("apiTokenSecretRef") or {}
        if reference.get("name") and reference.get("key"):
            tokens.append(reference)
    if not tokens:
        problems.append(f"{where}: no dns01.cloudflare solver with apiTokenSecretRef name and key")


def load_yaml(text, where, problems):
    try:
        return [document for document in yaml.safe_load_all(text) if document is not None]
    except yaml.YAMLError as error:
        problems.append(f"{where}: does not parse as YAML: {str(error).splitlines()[0]}")
        return []


def container_env(container):
    return {entry.get("name"): entry.get("value") for entry in container.get("env") or []}


def example_pod(documents, where, problems):
    """Checks the example service pod; returns {namespace: (secret names nginx-tls mounts, FQDN)}."""
    served = {}
    created = {d["metadata"]["name"] for d in documents if d.get("kind") == "Namespace"}
    for document in documents:
        kind = document.get("kind")
        metadata = document.get("metadata") or {}
        if kind == "Secret":
            problems.append(f"{where}: ships the Secret {metadata.get('name')}; applied again it would overwrite the real keys")
        namespace = metadata.get("namespace")
        if namespace and namespace not in created:
            problems.append(f"{where}: {kind} {metadata.get('name')} is in namespace {namespace}, which the file does not create")
        if kind != "StatefulSet":
            continue
        pod = ((document.get("spec") or {}).get("template") or {}).get("spec") or {}
        if "fsGroup" in (pod.get("securityContext") or {}):
            problems.append(f"{where}: the pod sets fsGroup; kubelet would re-own the app's data volume (use file modes)")
        containers = {c.get("name"): c for c in (pod.get("initContainers") or []) + (pod.get("containers") or [])}
        roles = ("lifecycle-cleanup", "lifecycle-dns-create", "tailscale")
        if not all(role in containers for role in roles):
            problems.append(f"{where}: the StatefulSet lacks one of {roles}")
            continue
        hostnames = {role: container_env(containers[role]).get("TS_HOSTNAME") for role in roles}
        domain = container_env(containers["lifecycle-cleanup"]).get("DOMAIN_NAME")
        check_hostnames(hostnames, domain, where, problems)
        volumes = {v.get("name"): v for v in pod.get("volumes") or []}
        for role in roles[:2]:
            for mount in containers[role].get("volumeMounts") or []:
                secret = (volumes.get(mount.get("name")) or {}).get("secret")
                if secret is not None and not secret.get("defaultMode", 0o644) & 0o004:
                    problems.append(f"{where}: {role} mounts the Secret volume {mount.get('name')} with defaultMode {oct(secret.get('defaultMode'))}: uid {LIFECYCLE_UID} cannot read its root-owned files without fsGroup (use 0444)")
        nginx = containers.get("nginx-tls") or {}
        secrets = {
            (volumes.get(m.get("name")) or {}).get("secret", {}).get("secretName")
            for m in nginx.get("volumeMounts") or []
        } - {None}
        hostname = hostnames["lifecycle-cleanup"] or ""
        served[namespace] = (secrets, f"{hostname.split('.')[0]}.{domain}")
    return served


def check_yaml_examples(files, served):
    """files: [(where, text)]; served: what the example pod's nginx-tls mounts, per namespace."""
    problems = []
    issuers = set()
    certificates = []
    for where, text in files:
        for document in load_yaml(text, where, problems):
            kind = document.get("kind")
            name = (document.get("metadata") or {}).get("name")
            subject = f"{where}: {kind} {name}"
            if kind == "Secret":
                problems.append(f"{subject}: a Secret in the examples would overwrite the real one when applied; show `kubectl create secret` instead")
            if str(document.get("apiVersion", "")).startswith("cert-manager.io/"):
                if document.get("apiVersion") != "cert-manager.io/v1":
                    problems.append(f"{subject}: apiVersion must be cert-manager.io/v1")
                if (kind, "") not in CERT_MANAGER:
                    problems.append(f"{subject}: this check knows ClusterIssuer, Issuer and Certificate only")
                    continue
                fields(kind, "", document, subject, problems)
                if kind in ("ClusterIssuer", "Issuer"):
                    check_issuer(document, subject, problems)
                    issuers.add((kind, name, (document.get("metadata") or {}).get("namespace")))
                else:
                    certificates.append((subject, document))
    for subject, certificate in certificates:
        spec = certificate.get("spec") or {}
        namespace = (certificate.get("metadata") or {}).get("namespace")
        reference = spec.get("issuerRef") or {}
        kind = reference.get("kind", "Issuer")
        wanted = (kind, reference.get("name"), None if kind == "ClusterIssuer" else namespace)
        if wanted not in issuers or reference.get("group", "cert-manager.io") != "cert-manager.io":
            problems.append(f"{subject}: issuerRef {reference} names no issuer of the examples")
        if namespace in served:
            secrets, fqdn = served[namespace]
            if spec.get("secretName") not in secrets:
                problems.append(f"{subject}: secretName {spec.get('secretName')} is not the Secret nginx-tls mounts ({sorted(secrets)})")
            if fqdn not in (spec.get("dnsNames") or []):
                problems.append(f"{subject}: dnsNames {spec.get('dnsNames')} lack {fqdn}, the name dns-create keeps")
        else:
            problems.append(f"{subject}: namespace {namespace} is not the example pod's ({sorted(served)})")
    return problems


# MARK: - The repository

def example_files(root, suffixes):
    found = []
    for folder, subfolders, names in os.walk(os.path.join(root, "examples")):
        subfolders.sort()
        for name in sorted(names):
            if name.endswith(suffixes):
                path = os.path.join(folder, name)
                found.append((os.path.relpath(path, root), open(path, encoding="utf-8").read()))
    return found


def check(root):
    problems = []
    terraform = example_files(root, (".tf",))
    if not terraform:
        problems.append("examples/: no .tf file")
    found = 0
    for where, text in terraform:
        more, count = check_terraform(text, where)
        problems += more
        found += count
    if terraform and not found:
        problems.append("examples/: no kubernetes_stateful_set in any .tf file")
    pod_text = open(os.path.join(root, EXAMPLE_POD), encoding="utf-8").read()
    served = example_pod(load_yaml(pod_text, EXAMPLE_POD, problems), EXAMPLE_POD, problems)
    manifests = example_files(root, (".yaml", ".yml"))
    if not any("cert-manager.io/v1" in text and "kind: Certificate" in text for _, text in manifests):
        problems.append("examples/: no cert-manager Certificate")
    problems += check_yaml_examples(manifests, served)
    return problems, len(terraform), len(manifests)


def self_test(root):
    """Each broken variant of the shipped examples must be caught, the shipped ones must pass."""
    tf_where, tf_text = example_files(root, (".tf",))[0]
    clean, _ = check_terraform(tf_text, tf_where)
    assert not clean, clean

    def breaks(old, new, expected):
        assert old in tf_text, f"self-test: {old!r} not in {tf_where}"
        problems, _ = check_terraform(tf_text.replace(old, new, 1), tf_where)
        assert any(expected in problem for problem in problems), f"self-test: {new!r} not caught: {problems}"

    breaks("automount_service_account_token = false", "automount_service_account_token = false\n fs_group = 1", "no attribute or block named fs_group")
    breaks("seccomp_profile {", "fs_group = \"65532\"\n}\nsecurity_context {\nseccomp_profile {", "sets fs_group")
    breaks("volume_mount {", "volumeMount {", "no attribute or block named volumeMount")
    breaks("image_pull_policy = \"Never\"", "image_pull_policy = \"Always\"", "image_pull_policy must be Never")
    breaks("localhost/tailscale-lifecycle:latest", "docker.io/example/lifecycle:1.0.0", "image must be")
    breaks("    HEADSCALE_USER            = var.headscale_user\n", "", "env lacks HEADSCALE_USER")
    breaks("ts_hostname = \"${var.service}.${var.domain_name}\"", "ts_hostname = var.service", "must be the FQDN")
    breaks("value = \"file:${local.authkey_path}\"", "value = \"file:/tmp/authkey\"", "TS_AUTHKEY must be")
    breaks("default_mode = \"0444\"", "default_mode = \"0440\"", "default_mode 0440")
    breaks("add = [\"NET_ADMIN\"]", "add = [\"NET_ADMIN\"]\n drop = [\"ALL\"]", "add DAC_READ_SEARCH")
    breaks("container {\n          name  = \"app\"", "container {\n          image_pull_policy = \"Never\"", "lacks the required name")
    breaks("resources {", "resources = {", "is a block, written here as an attribute")
    assert check_terraform("resource \"x\" {", "broken.tf")[0], "self-test: a syntax error was not caught"

    pod_text = open(os.path.join(root, EXAMPLE_POD), encoding="utf-8").read()
    problems = []
    served = example_pod(load_yaml(pod_text, EXAMPLE_POD, problems), EXAMPLE_POD, problems)
    assert not problems, problems
    for old, new, expected in [
        ("seccompProfile:", "fsGroup: 65532\n        seccompProfile:", "sets fsGroup"),
        ("kind: Namespace", "kind: ConfigMap", "which the file does not create"),
        ("apiVersion: v1\nkind: ConfigMap", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  namespace: charon-example\n---\napiVersion: v1\nkind: ConfigMap", "ships the Secret"),
        ("            defaultMode: 0444", "            defaultMode: 0440", "cannot read its root-owned files"),
        ("value: ollama.example.com", "value: ollama", "must be the same"),
    ]:
        assert old in pod_text, f"self-test: {old!r} not in {EXAMPLE_POD}"
        found = []
        example_pod(load_yaml(pod_text.replace(old, new, 1), EXAMPLE_POD, found), EXAMPLE_POD, found)
        assert any(expected in problem for problem in found), f"self-test: {new!r} not caught: {found}"

    manifests = example_files(root, (".yaml", ".yml"))
    assert not check_yaml_examples(manifests, served)
    for old, new, expected in [
        ("apiTokenSecretRef:", "apiKeySecretRef:", "global API key"),
        ("    kind: ClusterIssuer\n    name:", "    kind: Issuer\n    name:", "names no issuer"),
        ("secretName: ollama-tls", "secretName: other-tls", "is not the Secret nginx-tls mounts"),
        ("dnsNames: [ollama.example.com]", "dnsNames: [ollama.example.org]", "the name dns-create keeps"),
        ("  privateKey:", "  privateKeys:", "has no field spec.privateKeys"),
    ]:
        changed = [(where, text.replace(old, new, 1)) for where, text in manifests]
        assert changed != manifests, f"self-test: {old!r} in no example"
        found = check_yaml_examples(changed, served)
        assert any(expected in problem for problem in found), f"self-test: {new!r} not caught: {found}"
    secret = manifests + [("examples/x.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  a: REPLACE\n")]
    assert any("overwrite" in problem for problem in check_yaml_examples(secret, served))
    print("check-examples: self-test passed")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test(ROOT)
        return 0
    if sys.argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    problems, terraform, manifests = check(ROOT)
    for problem in problems:
        print(f"check-examples: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"check-examples: {terraform} Terraform file(s), {manifests} manifest(s) and {EXAMPLE_POD} pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
