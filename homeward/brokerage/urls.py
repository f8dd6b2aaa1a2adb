from homeward.brokerage import requests_urls

app_name = "brokerage"
urlpatterns = [*requests_urls.urlpatterns]
