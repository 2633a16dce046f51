{#- Booking aggregation (EXPO): one row per Booking; Cantidad summed over the valid source rows;
    Contenedor = the distinct real containers (from the source or assigned) in order of first
    appearance (source row, then secuencia), joined with `, `, `-` when none; `source_id` the source
    reference of the booking's first row (its `id` where the source has one, else its `_source_row`,
    as legacy kept the source position); every other column the first non-null value in source
    order. -#}
with

validated as (

    select * from {{ ref('int_traffic__arribos_expo_ctns_validated') }}

),

assigned as (

    select * from {{ ref('int_traffic__expo_assigned') }}

),

valid_rows as (

    select * from validated
    where rejection_reasons is null

),

first_appearance as (

    select
        booking,
        container_key,
        min(source_row * 100000 + secuencia) as first_position

    from assigned
    where container_key is not null
    group by booking, container_key

),

containers as (

    select
        first_appearance.booking,
        {{ ordered_string_agg('assigned.contenedor', ', ', 'first_appearance.first_position') }} as contenedor

    from first_appearance
    inner join assigned
        on
            first_appearance.booking = assigned.booking
            and first_appearance.container_key = assigned.container_key
            and first_appearance.first_position = assigned.source_row * 100000 + assigned.secuencia
    group by first_appearance.booking

),

bookings as (

    select
        booking as business_key,
        booking,
        {{ first_value_agg('coalesce(source_id, source_row)', 'source_row') }} as source_id,
        {{ first_value_agg('fecha', 'source_row') }} as fecha,
        {{ first_value_agg('cliente', 'source_row') }} as cliente,
        cast(sum(cantidad) as bigint) as cantidad,
        {{ first_value_agg('precinto', 'source_row') }} as precinto,
        {{ first_value_agg('origen', 'source_row') }} as origen,
        {{ first_value_agg('obs', 'source_row') }} as obs,
        {{ first_value_agg('estado', 'source_row') }} as estado,
        {{ first_value_agg('chofer', 'source_row') }} as chofer

    from valid_rows
    group by booking

),

final as (

    select
        bookings.business_key,
        bookings.source_id,
        bookings.fecha,
        bookings.booking,
        bookings.cliente,
        bookings.cantidad,
        bookings.precinto,
        bookings.origen,
        bookings.obs,
        bookings.estado,
        bookings.chofer,
        coalesce(containers.contenedor, '-') as contenedor

    from bookings
    left join containers on bookings.booking = containers.booking

)

select * from final
