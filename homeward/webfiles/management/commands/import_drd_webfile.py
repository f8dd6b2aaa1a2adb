from homeward.webfiles.commands import ImportCommand
from homeward.webfiles.services import import_drd_webfile


class Command(ImportCommand):
    help = (
        "Import NHS England's Discharge Ready Date monthly webfiles (sheet Provider; xlsx, xls "
        "or ods; the April 2023 and April 2024 layouts). A later revision of a month "
        "supersedes the earlier release; re-importing a release changes nothing."
    )
    importer = staticmethod(import_drd_webfile)
