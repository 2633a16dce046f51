with

arribos as (

    select * from {{ ref('int_traffic__arribos_validated') }}

),

pendiente as (

    select * from {{ ref('int_traffic__pendiente_desconsolidar_validated') }}

),

remisiones as (

    select * from {{ ref('int_traffic__remisiones_validated') }}

),

expo as (

    select * from {{ ref('int_traffic__arribos_expo_ctns_validated') }}

),

{# the weekly exports follow the rules of their tables; `source_table` is then the file name; the
   expo export is the list of containers offered for assignment, with its own rules #}
arribos_export as (

    select * from {{ ref('int_traffic__arribos_export_validated') }}

),

pendiente_export as (

    select * from {{ ref('int_traffic__pendiente_export_validated') }}

),

remisiones_export as (

    select * from {{ ref('int_traffic__remisiones_export_validated') }}

),

expo_available as (

    select * from {{ ref('int_traffic__expo_available_validated') }}

),

manual_edits as (

    select * from {{ ref('int_traffic__manual_edits_validated') }}

),

rejected as (

    select
        'arribos' as source_table,
        source_id,
        source_row,
        contenedor_source as contenedor,
        booking,
        rejection_reasons as reasons,
        loaded_at
    from arribos
    where rejection_reasons is not null

    union all

    select
        'pendiente_desconsolidar' as source_table,
        source_id,
        source_row,
        contenedor_source as contenedor,
        cast(null as {{ dbt.type_string() }}) as booking,
        rejection_reasons as reasons,
        loaded_at
    from pendiente
    where rejection_reasons is not null

    union all

    select
        'remisiones' as source_table,
        source_id,
        source_row,
        contenedor_source as contenedor,
        booking,
        rejection_reasons as reasons,
        loaded_at
    from remisiones
    where rejection_reasons is not null

    union all

    select
        'arribos_expo_ctns' as source_table,
        source_id,
        source_row,
        contenedor_source as contenedor,
        booking,
        rejection_reasons as reasons,
        loaded_at
    from expo
    where rejection_reasons is not null

    union all

    select
        'arribos_semana.csv' as source_table,
        cast(null as bigint) as source_id,
        source_row,
        contenedor_source as contenedor,
        booking,
        rejection_reasons as reasons,
        loaded_at
    from arribos_export
    where rejection_reasons is not null

    union all

    select
        'pendiente_desconsolidar.csv' as source_table,
        cast(null as bigint) as source_id,
        source_row,
        contenedor_source as contenedor,
        cast(null as {{ dbt.type_string() }}) as booking,
        rejection_reasons as reasons,
        loaded_at
    from pendiente_export
    where rejection_reasons is not null

    union all

    select
        'remisiones_semana.csv' as source_table,
        cast(null as bigint) as source_id,
        source_row,
        contenedor_source as contenedor,
        booking,
        rejection_reasons as reasons,
        loaded_at
    from remisiones_export
    where rejection_reasons is not null

    union all

    select
        'arribos_expo_semana_ctns.csv' as source_table,
        cast(null as bigint) as source_id,
        row_number_in_file as source_row,
        contenedor,
        booking,
        rejection_reasons as reasons,
        loaded_at
    from expo_available
    where rejection_reasons is not null

    union all

    select
        'traficov2_manual_edits' as source_table,
        edit_id as source_id,
        edit_id as source_row,
        cast(null as {{ dbt.type_string() }}) as contenedor,
        cast(null as {{ dbt.type_string() }}) as booking,
        rejection_reasons as reasons,
        loaded_at
    from manual_edits
    where rejection_reasons is not null

),

final as (

    select
        source_table || ':' || cast(source_row as {{ dbt.type_string() }}) as reject_id,
        source_table,
        source_id,
        source_row,
        contenedor,
        booking,
        reasons,
        cast(loaded_at as timestamp) as loaded_at

    from rejected

)

select * from final
