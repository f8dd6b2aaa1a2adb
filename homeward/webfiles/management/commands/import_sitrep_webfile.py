from homeward.webfiles.commands import ImportCommand
from homeward.webfiles.services import import_sitrep_webfile


class Command(ImportCommand):
    help = (
        "Import NHS England's acute discharge situation report webfiles (Tables 2 and 3; xlsx, "
        "xls, ods or CSV), or Homeward's own daily return in that layout. A later revision of "
        "a month supersedes the earlier release; re-importing a release changes nothing."
    )
    importer = staticmethod(import_sitrep_webfile)
