//! KubeVirt / OpenShift Virtualization: snapshot.kubevirt.io, kubevirt.io and clone.kubevirt.io.
