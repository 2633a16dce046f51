{#- What became of each dispatcher's edit (`traficov2_manual_edits`), from the resolved marts: the
    edit ids they applied (macro `traffic_apply_manual_edits`) and the keys they hold. An edit not
    applied is explained in this order: the field is not editable in that mart, the edit has no time,
    a later edit of the same field replaced it, the mart has no current row with its key (rejected,
    deleted or never seen), or else the source changed the field after the edit. -#}
{%- set marts = {
    'traficov2_arribos': 'arribos',
    'traficov2_pendiente_desconsolidar': 'pendiente',
    'traficov2_remisiones': 'remisiones',
    'traficov2_arribos_ctns_expo': 'expo',
} -%}

with

edits as (

    select * from {{ ref('int_traffic__manual_edits_validated') }}
    where rejection_reasons is null

),

arribos as (

    select * from {{ ref('int_traffic__arribos_resolved') }}

),

pendiente as (

    select * from {{ ref('int_traffic__pendiente_desconsolidar_resolved') }}

),

remisiones as (

    select * from {{ ref('int_traffic__remisiones_resolved') }}

),

expo as (

    select * from {{ ref('int_traffic__arribos_expo_ctns_resolved') }}

),

applied as (

    {{ traffic_applied_edit_ids(marts) }}

),

current_keys as (

    {{ traffic_current_keys(marts) }}

),

ranked as (

    select
        *,
        {{ traffic_edit_rank() }} as edit_rank
    from edits

),

final as (

    select
        ranked.edit_id,
        ranked.table_name,
        ranked.business_key,
        ranked.field,
        ranked.edit_value as value,  -- noqa: RF04
        ranked.edited_by,
        cast(ranked.edited_at_utc as timestamp) as edited_at,
        case
            when applied.edit_id is not null then 'applied'
            when {{ traffic_edit_not_editable('ranked', marts) }} then 'not_editable'
            when ranked.edited_at_utc is null then 'no_edit_time'
            when ranked.edit_rank > 1 then 'superseded'
            when current_keys.business_key is null then 'no_current_row'
            else 'source_changed'
        end as status

    from ranked
    left join applied on ranked.edit_id = applied.edit_id
    left join current_keys
        on
            ranked.table_name = current_keys.table_name
            and ranked.match_key = current_keys.business_key

)

select * from final
