$ ScenarioWizard 3.0
Solution set
 2 

" 2 3 2",4,0,0,15,""
" 4 1 3",12,1,0,12,""
