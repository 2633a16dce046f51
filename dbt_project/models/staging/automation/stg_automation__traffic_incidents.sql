with

source as (

    select * from {{ source('automation', 'traffic_incidents') }}

),

final as (

    select
        id as traffic_incident_id,
        cast(latitude as double precision) as latitude,
        cast(longitude as double precision) as longitude,
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
