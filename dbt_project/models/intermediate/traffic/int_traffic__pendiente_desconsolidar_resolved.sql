{{ traffic_apply_manual_edits('snap_traffic__pendiente_desconsolidar', 'traficov2_pendiente_desconsolidar') }}
