# The lifecycle containers of docs/migration.md in Terraform, for services whose StatefulSet is a
# `kubernetes_stateful_set` (or `kubernetes_stateful_set_v1`, the same schema) of the
# hashicorp/kubernetes provider. A `kubectl patch` of such a StatefulSet lasts until the next
# `terraform apply`, which puts the resource back as written; so the change goes here.
#
# This is one whole service (the shape of daemonset/example-statefulset.yaml: the app, nginx-tls,
# kernel-mode tailscale, and charon's two containers). In your own resource, add or change only the
# blocks marked `charon:`; everything else of your StatefulSet stays as it is:
#
#   charon: add     init_container "lifecycle-cleanup", container "lifecycle-dns-create", the
#                   volumes "tailscale-auth" and "lifecycle-secrets", the locals below
#   charon: change  the tailscale container's TS_AUTHKEY (the key file) and TS_HOSTNAME (the same
#                   FQDN the old pods used), and its read-only mount of "tailscale-auth"
#   charon: remove  the old Python init container and sidecar (same names: replace them), and a
#                   pod-level fs_group if you added one for them
#
# No fs_group: kubelet would re-own every volume of the pod that supports it, the app's data
# volume included (PostgreSQL refuses a data directory whose group and mode changed). File modes
# do the job instead: the key volume is an emptyDir (world-writable, 1777 as a tmpfs), cleanup
# writes the key 0600 as uid 65532, and tailscale reads it as root with the runtime's default
# capabilities. A tailscale container that runs as another user must run as 65532 (run_as_user,
# like the lifecycle containers); one that runs as root with ALL capabilities dropped must add
# back DAC_READ_SEARCH. The Secret's files are root's: default_mode 0444 lets uid 65532 read them.
#
# The Secret `<service>-lifecycle` (keys headscale-api-key and cloudflare-api-token) is not
# created here: a kubernetes_secret would put both secrets into the Terraform state. Create it
# with kubectl (docs/migration.md), or, if your state is protected, as a kubernetes_secret_v1 from
# sensitive variables.
#
# scripts/check-examples.py parses this file (python-hcl2), checks every block and attribute
# against the provider's documented schema for kubernetes_stateful_set, and checks the wiring.
# Provider >= 2.9.0 (seccomp_profile). With provider >= 3.0.0 and Kubernetes >= 1.29,
# lifecycle-dns-create may instead be an init_container with restart_policy = "Always" (a native
# sidecar); as a plain container, as here, it works everywhere.

terraform {
  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.9.0"
    }
  }
}

variable "namespace" {
  description = "Namespace of the service (its Pod Security level must allow kernel-mode tailscale: privileged)."
  type        = string
}

variable "service" {
  description = "The service's name: the StatefulSet, its Secrets and the first label of its FQDN."
  type        = string
}

variable "domain_name" {
  description = "The DNS zone in Cloudflare; the service is <service>.<domain_name>."
  type        = string
}

variable "app_image" {
  description = "The app's image, pinned."
  type        = string
}

variable "app_port" {
  description = "The port the app listens on, on 127.0.0.1 only (nginx-tls proxies to it)."
  type        = number
}

variable "headscale_url" {
  description = "Headscale's URL (https://)."
  type        = string
}

variable "headscale_user" {
  description = "The Headscale user that owns the services' nodes (headscale users list)."
  type        = string
}

variable "cloudflare_zone_id" {
  description = "The Cloudflare zone's id."
  type        = string
}

locals {
  # charon: add. The tailnet hostname is the FQDN, as the old pods registered it: cleanup deletes
  # the nodes whose name equals TS_HOSTNAME exactly, so a different form would leave the old node
  # behind (and Headscale would rename the new one). `headscale nodes list` shows the old name.
  ts_hostname = "${var.service}.${var.domain_name}"

  # charon: add. Where cleanup writes the pre-auth key and tailscale reads it.
  authkey_path = "/tailscale-auth/authkey"

  # charon: add. What both lifecycle containers read (docs/lifecycle.md#settings); secrets only as
  # files from the Secret volume, never as values.
  lifecycle_env = {
    TS_HOSTNAME               = local.ts_hostname
    DOMAIN_NAME               = var.domain_name
    HEADSCALE_URL             = var.headscale_url
    HEADSCALE_USER            = var.headscale_user
    HEADSCALE_API_KEY_FILE    = "/var/run/secrets/charon/headscale-api-key"
    CLOUDFLARE_API_TOKEN_FILE = "/var/run/secrets/charon/cloudflare-api-token"
    CLOUDFLARE_ZONE_ID        = var.cloudflare_zone_id
    OWNER_ID                  = "charon"
  }
}

resource "kubernetes_stateful_set" "service" {
  metadata {
    name      = var.service
    namespace = var.namespace
    labels = {
      "app.kubernetes.io/name" = var.service
    }
  }

  spec {
    service_name = var.service
    # One replica per tailnet hostname: a second pod's cleanup would delete the first pod's node.
    replicas = "1"

    selector {
      match_labels = {
        "app.kubernetes.io/name" = var.service
      }
    }

    template {
      metadata {
        labels = {
          "app.kubernetes.io/name" = var.service
        }
      }

      spec {
        automount_service_account_token = false
        termination_grace_period_seconds = 30

        # No fs_group here (see the top of this file).
        security_context {
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        # charon: add. Runs before every other container: deletes the stale node and records of
        # ts_hostname, then writes a fresh pre-auth key for tailscale.
        init_container {
          name              = "lifecycle-cleanup"
          image             = "localhost/tailscale-lifecycle:latest"
          # Built and pinned on every node by the charon-node agent, never in a registry.
          image_pull_policy = "Never"
          args              = ["cleanup"]

          dynamic "env" {
            for_each = local.lifecycle_env
            content {
              name  = env.key
              value = env.value
            }
          }
          env {
            name  = "AUTHKEY_OUTPUT_PATH"
            value = local.authkey_path
          }
          env {
            name  = "AUTHKEY_EXPIRATION"
            value = "1h"
          }

          volume_mount {
            name       = "tailscale-auth"
            mount_path = "/tailscale-auth"
          }
          volume_mount {
            name       = "lifecycle-secrets"
            mount_path = "/var/run/secrets/charon"
            read_only  = true
          }

          security_context {
            run_as_non_root            = true
            run_as_user                = "65532"
            run_as_group               = "65532"
            read_only_root_filesystem  = true
            allow_privilege_escalation = false
            capabilities {
              drop = ["ALL"]
            }
          }

          resources {
            requests = {
              cpu    = "5m"
              memory = "16Mi"
            }
            limits = {
              cpu    = "100m"
              memory = "64Mi"
            }
          }
        }

        # Your app, unchanged: on loopback only, reached through nginx-tls.
        container {
          name  = "app"
          image = var.app_image

          resources {
            requests = {
              cpu    = "100m"
              memory = "256Mi"
            }
            limits = {
              cpu    = "1"
              memory = "1Gi"
            }
          }
        }

        # Your nginx-tls, unchanged apart from the tailnet-only allowlist of docs/migration.md. The
        # certificate: the Secret <service>-tls, which examples/cert-manager/ issues and renews.
        container {
          name  = "nginx-tls"
          image = "docker.io/library/nginx:1.29.8-alpine"

          port {
            name           = "https"
            container_port = 443
          }

          volume_mount {
            name       = "nginx-config"
            mount_path = "/etc/nginx/conf.d"
            read_only  = true
          }
          volume_mount {
            name       = "tls"
            mount_path = "/etc/nginx/tls"
            read_only  = true
          }

          liveness_probe {
            tcp_socket {
              port = "https"
            }
            period_seconds = 20
          }

          resources {
            requests = {
              cpu    = "10m"
              memory = "32Mi"
            }
            limits = {
              cpu    = "500m"
              memory = "128Mi"
            }
          }
        }

        # Your tailscale sidecar, kernel mode as before.
        container {
          name  = "tailscale"
          image = "ghcr.io/tailscale/tailscale:v1.104.4"

          # charon: change. The key cleanup wrote, and the FQDN the old pods used.
          env {
            name  = "TS_AUTHKEY"
            value = "file:${local.authkey_path}"
          }
          env {
            name  = "TS_HOSTNAME"
            value = local.ts_hostname
          }
          env {
            name  = "TS_EXTRA_ARGS"
            value = "--login-server=${var.headscale_url}"
          }
          env {
            name  = "TS_USERSPACE"
            value = "false"
          }
          env {
            name  = "TS_ACCEPT_DNS"
            value = "false"
          }
          env {
            name  = "TS_KUBE_SECRET"
            value = ""
          }
          env {
            name  = "TS_STATE_DIR"
            value = "/var/lib/tailscale"
          }
          env {
            name  = "TS_AUTH_ONCE"
            value = "true"
          }

          # charon: change. Read-only: tailscale only reads the key.
          volume_mount {
            name       = "tailscale-auth"
            mount_path = "/tailscale-auth"
            read_only  = true
          }
          volume_mount {
            name       = "tailscale-state"
            mount_path = "/var/lib/tailscale"
          }
          volume_mount {
            name       = "dev-net-tun"
            mount_path = "/dev/net/tun"
          }

          # Root (the image's user) with the runtime's default capabilities plus NET_ADMIN: it
          # reads the 0600 key file of uid 65532 (see the top of this file).
          security_context {
            allow_privilege_escalation = false
            capabilities {
              add = ["NET_ADMIN"]
            }
          }

          resources {
            requests = {
              cpu    = "10m"
              memory = "32Mi"
            }
            limits = {
              cpu    = "500m"
              memory = "256Mi"
            }
          }
        }

        # charon: add. Keeps <service>.<domain_name> pointing at the node until the pod stops.
        container {
          name              = "lifecycle-dns-create"
          image             = "localhost/tailscale-lifecycle:latest"
          image_pull_policy = "Never"
          args              = ["dns-create"]

          dynamic "env" {
            for_each = local.lifecycle_env
            content {
              name  = env.key
              value = env.value
            }
          }

          volume_mount {
            name       = "lifecycle-secrets"
            mount_path = "/var/run/secrets/charon"
            read_only  = true
          }

          # The image has no shell: the probe only proves the container can still start a process.
          liveness_probe {
            exec {
              command = ["/usr/local/bin/charon-lifecycle", "--version"]
            }
            period_seconds  = 60
            timeout_seconds = 5
          }

          security_context {
            run_as_non_root            = true
            run_as_user                = "65532"
            run_as_group               = "65532"
            read_only_root_filesystem  = true
            allow_privilege_escalation = false
            capabilities {
              drop = ["ALL"]
            }
          }

          resources {
            requests = {
              cpu    = "5m"
              memory = "16Mi"
            }
            limits = {
              cpu    = "100m"
              memory = "64Mi"
            }
          }
        }

        # charon: add. The pre-auth key, memory-backed so it never touches the node's disk.
        volume {
          name = "tailscale-auth"
          empty_dir {
            medium     = "Memory"
            size_limit = "1Mi"
          }
        }

        # charon: add. The Headscale API key and the Cloudflare token, as files.
        volume {
          name = "lifecycle-secrets"
          secret {
            secret_name  = "${var.service}-lifecycle"
            default_mode = "0444"
          }
        }

        volume {
          name = "tailscale-state"
          empty_dir {}
        }

        volume {
          name = "dev-net-tun"
          host_path {
            path = "/dev/net/tun"
            type = "CharDevice"
          }
        }

        volume {
          name = "nginx-config"
          config_map {
            name = "${var.service}-nginx"
          }
        }

        volume {
          name = "tls"
          secret {
            secret_name = "${var.service}-tls"
          }
        }
      }
    }
  }
}
