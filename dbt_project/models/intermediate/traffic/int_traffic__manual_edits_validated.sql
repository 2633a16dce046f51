{#- Every dispatcher's edit with the reasons it cannot apply (`; `-separated, null when valid): an
    unknown mart (`table_name` not one of the four traffic marts), a field no mart takes edits for,
    no business key. Only valid edits reach the resolved models; the others are listed in
    `traficov2_rejects`, so one bad edit never stops a mart. -#}
with

edits as (

    select * from {{ ref('stg_traffic__manual_edits') }}

),

final as (

    select
        *,
        nullif(concat_ws(
            '; ',
            case
                when table_name is null then 'missing table_name'
                when table_name not in (
                    'traficov2_arribos', 'traficov2_pendiente_desconsolidar',
                    'traficov2_remisiones', 'traficov2_arribos_ctns_expo'
                ) then 'unknown table_name'
            end,
            case
                when field is null then 'missing field'
                when field not in ('Chofer', 'Obs.', 'Estado', 'Observaciones') then 'unknown field'
            end,
            case when match_key is null or match_key = '' then 'missing business_key' end
        ), '') as rejection_reasons

    from edits

)

select * from final
