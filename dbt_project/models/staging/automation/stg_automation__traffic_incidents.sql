with

source as (

    select * from {{ latest_version(source('automation', 'traffic_incidents'), ['id']) }}

),

final as (

    select
        id as traffic_incident_id,
        cast(latitude as {{ type_double() }}) as latitude,
        cast(longitude as {{ type_double() }}) as longitude,
        cast(affected_radius_meters as integer) as affected_radius_meters,
        severity,
        description,
        incident_type,
        active as is_active,
        reported_at,
        resolved_at,
        created_at,
        updated_at,
        _dlt_load_id

    from source

)

select * from final
