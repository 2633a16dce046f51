{#- The warehouse code of domain §3, derived from its name: accents removed, lower case, spaces and
    hyphens to `_`, only letters and `_` kept, repeated `_` collapsed. ("Bodega  Concepción--Sur"
    -> "bodega_concepcion_sur"; digits are dropped, so "Bodega Temuco 3" -> "bodega_temuco_".) -#}
{% macro warehouse_code(name) -%}
    {{ text_regex_replace_all(
        text_regex_replace_all(
            text_regex_replace_all('lower(' ~ text_strip_accents(name) ~ ')', '[ -]', '_'),
            '[^a-z_]', ''
        ),
        '_+', '_'
    ) }}
{%- endmacro %}

{#- Latin accents and cedilla to their plain letters (before lower(), which on PostgreSQL's C
    locale only lowers ASCII). Engine-specific variants may use a native function. -#}
{% macro text_strip_accents(expression) -%}
    {{ return(adapter.dispatch('text_strip_accents', 'logistics_elt')(expression)) }}
{%- endmacro %}

{% macro default__text_strip_accents(expression) -%}
    translate({{ expression }}, 'ÁÀÂÄÃÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇáàâäãéèêëíìîïóòôöõúùûüñç', 'AAAAAEEEEIIIIOOOOOUUUUNCaaaaaeeeeiiiiooooouuuunc')
{%- endmacro %}

{#- Replace every match of a POSIX regular expression. -#}
{% macro text_regex_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('text_regex_replace_all', 'logistics_elt')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__text_regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}
