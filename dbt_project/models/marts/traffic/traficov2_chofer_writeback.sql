{#- Back-propagation: the source rows (by container, exactly as the source holds it) whose
    resolved Chofer (after manual edits) differs from the source's. Read by `elt back-propagate`.
    An unknown (null) resolved Chofer never erases a driver the source has. Only the source row the
    mart row comes from counts (the valid one): a rejected duplicate of its container adds no row. -#}
with

arribos_source as (

    select * from {{ ref('int_traffic__arribos_validated') }}
    where rejection_reasons is null

),

arribos_resolved as (

    select * from {{ ref('int_traffic__arribos_resolved') }}

),

expo_source as (

    select * from {{ ref('int_traffic__arribos_expo_ctns_validated') }}
    where rejection_reasons is null

),

expo_resolved as (

    select * from {{ ref('int_traffic__arribos_expo_ctns_resolved') }}

),

arribos as (

    select distinct
        'arribos' as source_table,
        arribos_source.contenedor_source as contenedor,
        arribos_resolved.chofer,
        arribos_source.chofer_source as source_chofer

    from arribos_source
    inner join arribos_resolved on arribos_source.container_key = arribos_resolved.business_key
    where
        arribos_resolved.chofer is not null
        and arribos_resolved.chofer is distinct from arribos_source.chofer

),

expo as (

    select distinct
        'arribos_expo_ctns' as source_table,
        expo_source.contenedor_source as contenedor,
        expo_resolved.chofer,
        expo_source.chofer_source as source_chofer

    from expo_source
    inner join expo_resolved on expo_source.booking = expo_resolved.business_key
    where
        expo_source.container_key is not null
        and expo_resolved.chofer is not null
        and expo_resolved.chofer is distinct from expo_source.chofer

),

final as (

    select * from arribos
    union all
    select * from expo

)

select * from final
