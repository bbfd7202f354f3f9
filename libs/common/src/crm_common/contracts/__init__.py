"""The data schemas of events and requests that cross services, defined once.

The envelope is `crm_common.events.CloudEvent`; these are the `data` of the events a service
publishes for others, so the producer and every consumer validate against the same model.
"""
