{#- Where the weekly exports and the live operational tables disagree, by business key (macro
    `traffic_export_reconciliation`): `arribos_semana.csv` against `arribos` and
    `pendiente_desconsolidar.csv` against `pendiente_desconsolidar` by container,
    `remisiones_semana.csv` against `remisiones` by container and Operacion. The live side is the
    source as it is (before exits from Salidas and dispatchers' edits), so both sides say what their
    own system holds. -#}
with

arribos_export as (

    select * from {{ ref('int_traffic__arribos_export_validated') }}

),

arribos_table as (

    select
        *,
        container_key as business_key
    from {{ ref('int_traffic__arribos_validated') }}

),

pendiente_export as (

    select * from {{ ref('int_traffic__pendiente_export_validated') }}

),

pendiente_table as (

    select
        *,
        container_key as business_key
    from {{ ref('int_traffic__pendiente_desconsolidar_validated') }}

),

remisiones_export as (

    select * from {{ ref('int_traffic__remisiones_export_validated') }}

),

remisiones_table as (

    select * from {{ ref('int_traffic__remisiones_validated') }}

),

arribos as (

    {{ traffic_export_reconciliation('arribos_export', 'arribos_table', 'arribos', 'arribos_semana.csv', [
        ('terminal', 'Terminal'), ('turno', 'Turno'), ('cliente', 'Cliente'), ('booking', 'Booking'),
        ('tipo_cnt', 'Tipo CNT'), ('oper', 'Oper.'), ('tiempo', 'Tiempo'), ('estado', 'Estado'),
        ('chofer', 'Chofer'), ('dimension', 'Dimension'), ('fecha', 'Fecha'),
    ]) }}

),

pendiente as (

    {{ traffic_export_reconciliation(
        'pendiente_export', 'pendiente_table', 'pendiente_desconsolidar', 'pendiente_desconsolidar.csv', [
            ('cliente', 'Cliente'), ('entrega', 'Entrega'), ('vto_vacio', 'Vto. Vacio'), ('tipo', 'Tipo'),
            ('peso', 'Peso'), ('cantidad', 'Cantidad'), ('envase', 'Envase'), ('estado', 'Estado'),
            ('chofer', 'Chofer'),
        ]) }}

),

remisiones as (

    {{ traffic_export_reconciliation('remisiones_export', 'remisiones_table', 'remisiones', 'remisiones_semana.csv', [
        ('dia', 'Dia'), ('cliente', 'Cliente'), ('booking', 'Booking'), ('volumen', 'Volumen'),
        ('precinto', 'Precinto'), ('observaciones', 'Observaciones'), ('estado', 'Estado'), ('hora', 'Hora'),
        ('e_tally', 'e-tally'),
    ]) }}

),

unioned as (

    select * from arribos
    union all
    select * from pendiente
    union all
    select * from remisiones

),

final as (

    select
        table_name,
        export_file,
        business_key,
        contenedor,
        discrepancy,
        differing_fields,
        cast(details_text as {{ type_json() }}) as details,
        export_row,
        source_row,
        source_id

    from unioned

)

select * from final
