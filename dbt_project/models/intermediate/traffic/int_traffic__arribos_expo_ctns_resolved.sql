{{ traffic_apply_manual_edits('snap_traffic__arribos_expo_ctns', 'traficov2_arribos_ctns_expo') }}
