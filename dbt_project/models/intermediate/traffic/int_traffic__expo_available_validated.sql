{#- Every row of the weekly `arribos_expo_semana_ctns.csv` (the containers available for
    assignment) with the reasons it cannot be offered (`; `-separated, null when valid): an invalid
    container (format or ISO 6346 check digit), an invalid booking, a container without a booking,
    or a container already listed in an earlier row of the file (`duplicate container_key`). A row
    without a container is a booking line, not an offer, and no reject; placeholder rows are no data. -#}
with

available as (

    select * from {{ ref('stg_traffic__expo_available_containers') }}

),

final as (

    select
        *,
        case when not is_placeholder_row then nullif(concat_ws(
            '; ',
            case when container_key is not null then {{ traffic_container_problem('container_key') }} end,
            case
                when booking is not null and not {{ regex_match('booking', var('traffic_booking_regex')) }}
                    then 'invalid booking'
            end,
            case when booking is null and container_key is not null then 'missing booking' end,
            case
                when
                    container_key is not null
                    and row_number() over (
                        partition by container_key order by row_number_in_file
                    ) > 1
                    then 'duplicate container_key'
            end
        ), '') end as rejection_reasons

    from available

)

select * from final
