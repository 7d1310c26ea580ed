"""The channels' webhooks: ``/channels/<plugin>``, where residents' phones come in.

An interface like the API: it asks the plugin to check and read the provider's request,
stores what residents sent (once, however often the provider retries), hands it to the
conversation engine and answers the provider in its own terms.
"""
