{#- Container assignment: per booking, expanded rows without a container take, in source order
    (source row, then secuencia), the containers available for that booking in the weekly CSV
    (in file order) that no EXPO row uses yet; each container is assigned once, surplus rows keep
    no container. Bookings are compared as text. -#}
with

expanded as (

    select * from {{ ref('int_traffic__expo_expanded') }}

),

available as (

    select * from {{ ref('int_traffic__expo_available_validated') }}
    where rejection_reasons is null

),

used as (

    select distinct container_key from expanded
    where container_key is not null

),

candidates as (

    select
        available.booking,
        available.contenedor,
        available.container_key,
        available.row_number_in_file,
        row_number() over (
            partition by available.container_key order by available.row_number_in_file
        ) as container_occurrence

    from available
    left join used on available.container_key = used.container_key
    where
        used.container_key is null
        and available.booking is not null
        and available.container_key is not null
        and {{ traffic_container_problem('available.container_key') }} is null

),

offered as (

    select
        booking,
        contenedor,
        container_key,
        row_number() over (partition by booking order by row_number_in_file) as slot

    from candidates
    where container_occurrence = 1

),

waiting as (

    select
        booking,
        source_row,
        secuencia,
        row_number() over (partition by booking order by source_row, secuencia) as slot

    from expanded
    where container_key is null

),

assigned as (

    select
        waiting.booking,
        waiting.source_row,
        waiting.secuencia,
        offered.contenedor,
        offered.container_key,
        case when offered.container_key is not null then 'assigned' end as container_origin

    from waiting
    left join offered
        on
            waiting.booking = offered.booking
            and waiting.slot = offered.slot

),

from_source as (

    select
        booking,
        source_row,
        secuencia,
        contenedor,
        container_key,
        'source' as container_origin

    from expanded
    where container_key is not null

),

final as (

    select * from from_source
    union all
    select * from assigned

)

select * from final
