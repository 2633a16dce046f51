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

waiting as (

    select * from validated
    where rejection_reasons is null and container_key is null

),

numbers as (

    select units.d + 10 * tens.d + 100 * hundreds.d + 1000 * thousands.d + 1 as n
    from digits as units
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands

),

needed_numbers as (

    -- only as many numbers as the largest quantity waiting: keeps the join small on every engine
    select n from numbers
    where n <= (select max(waiting.cantidad) from waiting)

),

expanded as (

    select
        waiting.booking,
        waiting.source_row,
        needed_numbers.n as secuencia,
        waiting.contenedor,
        waiting.container_key

    from waiting
    inner join needed_numbers on waiting.cantidad >= needed_numbers.n

),

with_container as (

    select
        booking,
        source_row,
        1 as secuencia,
        contenedor,
        container_key

    from validated
    where rejection_reasons is null and container_key is not null

),

final as (

    select * from expanded
    union all
    select * from with_container

)

select * from final
