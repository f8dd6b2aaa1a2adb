from ninja import NinjaAPI

api = NinjaAPI(title="Homeward API", version="1", urls_namespace="api")
