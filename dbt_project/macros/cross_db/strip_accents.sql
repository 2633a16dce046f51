{#- Latin accents and cedilla to their plain letters (before lower(), which on PostgreSQL's C
    locale only lowers ASCII). Engine-specific variants may use a native function. -#}
{% macro strip_accents(expression) -%}
    {{ return(adapter.dispatch('strip_accents', 'logistics_elt')(expression)) }}
{%- endmacro %}

{% macro default__strip_accents(expression) -%}
    translate({{ expression }}, 'ÁÀÂÄÃÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇáàâäãéèêëíìîïóòôöõúùûüñç', 'AAAAAEEEEIIIIOOOOOUUUUNCaaaaaeeeeiiiiooooouuuunc')
{%- endmacro %}
