{#- The "Realizado" status of a container from its exit in Salidas. `fecha_egr` is on the Argentina
    local clock (UTC-3, no zone stored) and is shown as it is, never converted. -#}
with

salidas as (

    select * from {{ ref('stg_traffic__salidas') }}

),

recent as (

    select
        container_key,
        fecha_egr,
        validada,
        row_number() over (partition by container_key order by fecha_egr desc, validada desc) as exit_rank

    from salidas
    where
        container_key is not null
        and fecha_egr >= (
            select {{ dbt.dateadd('day', -1 * var('traffic_salidas_lookback_days'), 'max(newest.fecha_egr)') }}
            from salidas as newest
        )

),

final as (

    select
        container_key,
        fecha_egr,
        validada,
        -- pendiente: `Realizado dd/mm/YYYY HH:MM` then the validada value
        {{ dbt.concat(["'Realizado '", traffic_format_day_time('fecha_egr'),
            "coalesce(' ' || validada, '')"]) }} as estado_pendiente,
        -- remisiones: `HH:MM Realizado`
        {{ dbt.concat([traffic_format_time('fecha_egr'), "' Realizado'"]) }} as estado_remision

    from recent
    where exit_rank = 1

)

select * from final
