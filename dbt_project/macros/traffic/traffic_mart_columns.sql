{#- The columns of each traffic mart: (model column, legacy column name users query), in order,
    and the fields dispatchers may edit (edit `field` value -> model column). -#}
{% macro traffic_mart_columns(table_name) -%}
    {%- set columns = {
        'traficov2_arribos': [
            ('terminal', 'Terminal'), ('turno', 'Turno'), ('contenedor', 'Contenedor'),
            ('cliente', 'Cliente'), ('booking', 'Booking'), ('tipo_cnt', 'Tipo CNT'), ('oper', 'Oper.'),
            ('tiempo', 'Tiempo'), ('estado', 'Estado'), ('chofer', 'Chofer'), ('dimension', 'Dimension'),
            ('fecha', 'Fecha'), ('source_id', 'source_id'),
        ],
        'traficov2_pendiente_desconsolidar': [
            ('contenedor', 'Contenedor'), ('cliente', 'Cliente'), ('entrega', 'Entrega'),
            ('vto_vacio', 'Vto. Vacio'), ('tipo', 'Tipo'), ('peso', 'Peso'), ('cantidad', 'Cantidad'),
            ('envase', 'Envase'), ('estado', 'Estado'), ('chofer', 'Chofer'), ('source_id', 'source_id'),
        ],
        'traficov2_remisiones': [
            ('dia', 'Dia'), ('cliente', 'Cliente'), ('operacion', 'Operacion'), ('booking', 'Booking'),
            ('contenedor', 'Contenedor'), ('volumen', 'Volumen'), ('precinto', 'Precinto'),
            ('observaciones', 'Observaciones'), ('estado', 'Estado'), ('hora', 'Hora'),
            ('e_tally', 'e-tally'), ('chofer', 'Chofer'), ('fecha_y_hora_fin', 'Fecha y Hora Fin'),
            ('source_id', 'source_id'),
        ],
        'traficov2_arribos_ctns_expo': [
            ('fecha', 'Fecha'), ('booking', 'Booking'), ('cliente', 'Cliente'), ('cantidad', 'Cantidad'),
            ('contenedor', 'Contenedor'), ('precinto', 'Precinto'), ('origen', 'Origen'), ('obs', 'Obs.'),
            ('estado', 'Estado'), ('chofer', 'Chofer'), ('source_id', 'source_id'),
        ],
    } -%}
    {{ return(columns[table_name]) }}
{%- endmacro %}

{% macro traffic_editable_fields(table_name) -%}
    {%- set fields = {
        'traficov2_arribos': {'Chofer': 'chofer', 'Estado': 'estado'},
        'traficov2_pendiente_desconsolidar': {'Chofer': 'chofer', 'Estado': 'estado'},
        'traficov2_remisiones': {'Chofer': 'chofer', 'Estado': 'estado', 'Observaciones': 'observaciones'},
        'traficov2_arribos_ctns_expo': {'Chofer': 'chofer', 'Obs.': 'obs', 'Estado': 'estado'},
    } -%}
    {{ return(fields[table_name]) }}
{%- endmacro %}

{#- The mart's select list: each model column under its legacy (quoted) name. -#}
{% macro traffic_legacy_select(table_name) -%}
    {%- for column, label in traffic_mart_columns(table_name) %}
        {{ column }} as {{ adapter.quote(label) }},
    {%- endfor %}
{%- endmacro %}
