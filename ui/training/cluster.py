"""Where runs train: this server's worker processes, or the nodes of a Ray cluster (issue 17)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from explorer.training import ray_backend
from ui.i18n import t


def draw_cluster_line() -> None:
    """With the Ray back end: the cluster's CPUs and nodes, or why it cannot be used. Nothing otherwise."""
    info = ray_backend.cluster_info()
    if info is None:
        return
    if info.lost:
        st.warning(t("cluster.lost", reason=info.lost))
    else:
        st.caption(t("cluster.line", address=info.address, cpus=info.cpus, nodes=info.nodes))


def draw_where(events: list[dict[str, Any]]) -> None:
    """Where the followed run trains, from its ``started`` message (a Ray actor names its node)."""
    started = next((event for event in reversed(events) if event.get("type") == "started"), None)
    if started is None:
        return
    if "node" in started:
        st.caption(t("cluster.where_node", host=started.get("host", ""), node=started["node"]))
    else:
        st.caption(t("cluster.where_server"))
