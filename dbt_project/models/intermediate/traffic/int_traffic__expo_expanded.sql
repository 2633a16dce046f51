{#- Quantity expansion: a valid EXPO row with `cantidad` n and no container becomes n rows,
    `secuencia` 1..n (one per container still to come); a row with a container stays one row.
    Never aggregated back: the booking's Cantidad is summed over source rows, not these. -#}
with

validated as (

    select * from {{ ref('int_traffic__arribos_expo_ctns_validated') }}

),

digits as (

    select digit.d
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digit (d)

),

numbers as (

    select units.d + 10 * tens.d + 100 * hundreds.d + 1000 * thousands.d + 1 as n
    from digits as units
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands

),

final as (

    select
        validated.booking,
        validated.source_row,
        numbers.n as secuencia,
        validated.contenedor,
        validated.container_key

    from validated
    inner join numbers
        on numbers.n <= case when validated.container_key is null then validated.cantidad else 1 end
    where validated.rejection_reasons is null

)

select * from final
